#!/usr/bin/env bash
# The end-to-end throughput benchmark (docs/performance.md, "End-to-end throughput"): the seed's
# push design (one HTTP push and one n8n execution per event) against Barnum's batched Outbox
# Trigger, through the same real n8n 2.40.7, PostgreSQL and WhatsApp sandbox, in one run.
#
#   bash bench/e2e/run.sh                         # the published configuration (npm run bench:e2e)
#   bash bench/e2e/run.sh --events-a 300 --events-b 5000 --paced-seconds 10   # a quick look
#   bash bench/e2e/run.sh --help
#
# First run installs n8n 2.40.7 into ~/.cache/barnum (several minutes); later runs start in ~1 min.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$(bash scripts/node24.sh):$PATH"
node scripts/embed-sql.mjs
exec node bench/e2e/main.cjs "$@"
