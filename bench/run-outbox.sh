#!/usr/bin/env bash
# The outbox benchmark (docs/performance.md): Barnum's claim+ack against graphile-worker and
# pg-boss on one embedded PostgreSQL. Compiles the project, installs the benchmark-only dependencies of
# bench/package.json when they are missing (never into the project's package.json), then runs
# bench/outbox-bench.mjs with any arguments given:
#
#   bash bench/run-outbox.sh                      # the published configuration (two runs)
#   bash bench/run-outbox.sh --runs 1 --events 20000 --samples 200   # a quick look
#   BENCH_BARNUM_SETUP_SQL='...' bash bench/run-outbox.sh --systems barnum --phases single,batch  # an experiment (bench/outbox/barnum.mjs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$(bash scripts/node24.sh):$PATH"

# Its own output folder: a package build (which empties dist/) cannot pull it away mid-run.
echo "bench: compiling into .bench-dist/ (tsc -p tsconfig.dev.json --outDir .bench-dist)" >&2
node scripts/embed-sql.mjs
node_modules/.bin/tsc -p tsconfig.dev.json --outDir .bench-dist

if [ ! -f bench/node_modules/graphile-worker/package.json ] || [ ! -f bench/node_modules/pg-boss/package.json ]; then
  echo "bench: installing the benchmark's own dependencies into bench/node_modules" >&2
  (cd bench && npm_config_yes=true npm ci --no-audit --no-fund)
fi

exec node bench/outbox-bench.mjs "$@"
