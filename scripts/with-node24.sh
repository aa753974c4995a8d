#!/usr/bin/env bash
# Runs a command with Node >= 24 first on PATH (bootstrapped by node24.sh when the system Node is
# older), after installing the project's npm packages when they are missing or older than
# package-lock.json. Every npm script goes through here, so `npm start` and `npm test` work on a
# fresh machine with nothing but the system Node and npm.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$(bash "$root/scripts/node24.sh")"
export PATH="$bin:$root/node_modules/.bin:$PATH"
# Native addons must build against Node 24's headers, not the system Node's.
export npm_config_nodedir="$(dirname "$bin")"
# eslint-plugin-n8n-nodes-base's preinstall runs `npx only-allow pnpm`, which asks before installing.
export npm_config_yes=true
stamp="$root/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
  echo "barnum: installing npm packages (npm ci) with Node $(node --version)" >&2
  (cd "$root" && npm ci --no-audit --no-fund >&2)
fi
# The SQL the nodes run is compiled in (scripts/embed-sql.mjs), so it is regenerated before anything
# compiles or runs.
node "$root/scripts/embed-sql.mjs"
exec "$@"
