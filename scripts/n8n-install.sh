#!/usr/bin/env bash
# Installs n8n 2.40.7 on Node 24 into a cache outside the repository (first run: ~5 minutes and
# ~3 GB; later runs: nothing to do) and prints the path of its `n8n` binary.
#   N8N_VERSION      default 2.40.7 (2.41.x cannot be installed from the reachable registry)
#   BARNUM_CACHE     default ~/.cache/barnum
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${N8N_VERSION:-2.40.7}"
cache="${BARNUM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/barnum}"
dir="$cache/n8n-$version"
bin="$(bash "$root/scripts/node24.sh")"
export PATH="$bin:$PATH"
export npm_config_nodedir="$(dirname "$bin")"
export npm_config_yes=true

if [ -f "$dir/.installed" ]; then
  echo "$dir/node_modules/.bin/n8n"
  exit 0
fi

say() { echo "n8n-install: $*" >&2; }
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"barnum-n8n-runtime","private":true}' > package.json
source "$root/scripts/progress.sh"
progress_begin n8n-install
say "installing n8n $version with Node $(node --version) into $dir (first time only: a few minutes, ~3 GB)"
progress_step "fetching n8n's packages"
# --ignore-scripts: Kafka's native module cannot build offline and is not needed; the two native
# modules n8n does need are rebuilt below against Node 24's headers.
npm install "n8n@$version" --ignore-scripts --no-audit --no-fund --loglevel=http 2>&1 \
  | awk -v file="$progress_file" '
      /http fetch/ { n++; printf "fetching n8n'"'"'s packages: %d fetched\n", n > file; close(file) }
      /ERR!/ { print > "/dev/stderr" }'
[ -x node_modules/.bin/n8n ] || { say "npm install failed"; exit 1; }
progress_step "building native modules isolated-vm and sqlite3"
npm rebuild isolated-vm sqlite3 --foreground-scripts >/dev/null 2>"$dir/rebuild.log" || { tail -n 30 "$dir/rebuild.log" >&2; say "native rebuild failed"; exit 1; }
node -e "require('$dir/node_modules/isolated-vm'); require('$dir/node_modules/sqlite3')" || { say "native modules do not load"; exit 1; }
progress_end
touch .installed
say "done in $(( $(date +%s) - progress_started ))s"
echo "$dir/node_modules/.bin/n8n"
