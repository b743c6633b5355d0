#!/usr/bin/env bash
# Seed 000's setup on Harrier: the app's internal token as a secret, the board's shared rate limit,
# and the schedule at the seed's UK times. Replaces the Vercel cron, the trigger route and the
# Render worker's thread pool.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib/api.sh
export APP="http://127.0.0.1:$EXAMPLE_STUB_PORT"
api PUT /api/v1/secrets/APP_TOKEN requests/secret-app-token.json
api PUT /api/v1/limits/job-board requests/limit-job-board.json
api PUT /api/v1/schedules/job-search requests/schedule-job-search.json
cat <<TEXT

The schedule "job-search" fires at 08:00, 10:00, 14:00, 16:00, 16:45 and 22:00 London time. To run
it now, as the platform cron's trigger did:
  curl -X POST $HARRIER_URL/api/v1/schedules/job-search/trigger -H "Authorization: Bearer $HARRIER_KEY"
What the app saved:   curl $APP/_state
A day passes on the board (one new posting per search):   curl -X POST http://127.0.0.1:$((EXAMPLE_STUB_PORT + 1))/_next-day
TEXT
