#!/usr/bin/env bash
# Seed 004's setup on Harrier: the Apollo key as a secret only the two enrichment kinds receive, the
# two kinds with the seed's retry schedule (60, 120, 240, 480 s; BACKOFF_BASE_SECONDS shortens it),
# and the app's first jobs. Replaces the Vercel cron that called the worker route every minute, the
# polling JobWorker and its retry logic.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib/api.sh
export BACKOFF_BASE_SECONDS="${BACKOFF_BASE_SECONDS:-60}"
export BACKOFF_MAX_SECONDS=$((BACKOFF_BASE_SECONDS * 8))
api PUT /api/v1/secrets/APOLLO_API_KEY requests/secret-apollo.json
api PUT /api/v1/kinds/enrich_account requests/kind-enrich-account.json
api PUT /api/v1/kinds/enrich_contact requests/kind-enrich-contact.json
api POST /api/v1/jobs/batch requests/enqueue-accounts.json
cat <<TEXT

Four enrichment jobs are queued; the worker (worker.py) runs them. broken.example fails five times
($BACKOFF_BASE_SECONDS, $((BACKOFF_BASE_SECONDS * 2)), $((BACKOFF_BASE_SECONDS * 4)), $BACKOFF_MAX_SECONDS s apart) and ends in the dead letter:
  $HARRIER_URL/ui/#/failed
Let the API recover, then press "Retry" there:
  curl -X POST http://127.0.0.1:$EXAMPLE_STUB_PORT/_recover
What the app saved:   curl http://127.0.0.1:$((EXAMPLE_STUB_PORT + 1))/_state
Per-kind stats:       curl "$HARRIER_URL/api/v1/stats?since=24h" -H "Authorization: Bearer $HARRIER_KEY"
TEXT
