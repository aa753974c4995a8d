#!/usr/bin/env bash
# The local stack (stack/cli.ts) from this checkout: compiles what changed (incremental tsc), then
# runs it. `npm start`, `npm run reset`, `npm run demo:book` and `npm run status` come through here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
# Even a no-op incremental tsc costs seconds; skip it when no source is newer than the last build.
stamp=dist/.stack-compiled
if [ ! -f "$stamp" ] || [ ! -f dist/stack/cli.js ] || [ -n "$(find core credentials nodes server sandbox stack package.json tsconfig.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  tsc -p tsconfig.json
  touch "$stamp"
fi
# dist/ is fresh: the stack packs it into n8n without compiling again.
export BARNUM_COMPILED="$root"
exec node dist/stack/cli.js "$@"
