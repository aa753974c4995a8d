#!/usr/bin/env bash
# The local stack (stack/cli.ts) from this checkout: compiles what changed (incremental tsc), then
# runs it. `npm start`, `npm run reset`, `npm run demo:book` and `npm run status` come through here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
# Even a no-op incremental tsc costs seconds; skip it when no source is newer than the last build.
stamp=build/.stack-compiled
if [ ! -f "$stamp" ] || [ ! -f build/stack/cli.js ] || [ -n "$(find core credentials nodes server sandbox stack package.json tsconfig.json tsconfig.dev.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  tsc -p tsconfig.dev.json
  # The n8n node package on its own (dist/), as n8n-node build makes it: what n8n gets installed.
  tsc -p tsconfig.json
  touch "$stamp"
fi
# build/ and dist/ are fresh: the stack packs dist/ into n8n without compiling again.
export BARNUM_COMPILED="$root"
exec node build/stack/cli.js "$@"
