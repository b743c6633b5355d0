#!/usr/bin/env bash
# Seed 002's setup on Harrier: the board's rate limit and the schedule of the apply run. The
# service here runs no jobs; run-once.sh (what a platform's cron runs) does, and prints the seed's
# JSON statistics.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib/api.sh
export APP="http://127.0.0.1:$EXAMPLE_STUB_PORT" BOARD="http://127.0.0.1:$((EXAMPLE_STUB_PORT + 1))"
export BACKOFF_BASE_SECONDS="${BACKOFF_BASE_SECONDS:-30}"
api PUT /api/v1/limits/board requests/limit-board.json
api PUT /api/v1/schedules/apply-pending requests/schedule-apply-pending.json
# A run now, as if the quarter hour had come: run-once runs it.
api POST /api/v1/schedules/apply-pending/trigger > /dev/null
cat <<TEXT

An apply run is queued. Process it, as the seed's "run_once" did (prints the JSON statistics):
  examples/002-apply-run-once/run-once.sh
One application gets a 503 from the board: run-once counts it as retrying; run it again after
${BACKOFF_BASE_SECONDS} s and it is applied. The applications:   curl $APP/_state
TEXT
