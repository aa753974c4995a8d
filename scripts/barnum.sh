#!/usr/bin/env bash
# The barnum CLI from this checkout: compiles what changed (incremental tsc), then runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tsc -p tsconfig.dev.json
exec node build/server/cli.js "$@"
