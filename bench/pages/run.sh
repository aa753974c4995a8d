#!/usr/bin/env bash
# The action pages under load (docs/performance.md, "Action pages under load"): builds build/,
# then bench.mjs starts an embedded PostgreSQL, the compiled companion server and a bare Express
# hello, drives each with wrk (64 connections, 2 threads, 15 s) and stops everything it started.
#
#   bash bench/pages/run.sh [--duration 15] [--connections 64] [--log-levels warn,info] [--out file.json]
#                           [--phases ...] [--server-node-options=--max-semi-space-size=16]
#
# What docs/performance.md publishes: `barnum serve` as it starts by default (it adds its heap
# flags itself, server/heap-flags.ts), and Node's own defaults for comparison:
#   bash bench/pages/run.sh --log-levels info --out /tmp/pages-default-N.json
#   BARNUM_HEAP_FLAGS=off bash bench/pages/run.sh --log-levels info --out /tmp/pages-nN.json
# (--server-node-options with a heap size of its own replaces the defaults: the user's flags win.)
#
# Needs wrk (Debian: apt-get install -y wrk) and /usr/bin/time (Debian package "time").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$(bash "$root/scripts/node24.sh"):$PATH"
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is not installed (apt-get install -y time)" >&2; exit 1; }
cd "$root"
# tsc emits build/ even when it reports type errors; a type error elsewhere in the tree (someone's
# work in progress) should not stop a benchmark of the action pages, so it only warns.
node scripts/embed-sql.mjs
node node_modules/typescript/bin/tsc -p tsconfig.dev.json || echo "run.sh: tsc reported errors (above); benchmarking the emitted build/ anyway" >&2
exec node bench/pages/bench.mjs "$@"
