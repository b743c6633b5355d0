#!/usr/bin/env bash
# Seed 003's setup on Harrier: the service role key as a secret, the summary kind (run by
# worker.py) and the schedule every six hours. Replaces the crontab line, scripts/job-sync.js's
# comparison, the job_notifications table and its retry columns.
set -euo pipefail
cd "$(dirname "$0")"
. ../lib/api.sh
export STORAGE="http://127.0.0.1:$EXAMPLE_STUB_PORT" NOTIFICATIONS="http://127.0.0.1:$((EXAMPLE_STUB_PORT + 1))"
api PUT /api/v1/secrets/SERVICE_ROLE_KEY requests/secret-service-role.json
api PUT /api/v1/kinds/sync_summary requests/kind-sync-summary.json
api PUT /api/v1/schedules/company-job-sync requests/schedule-company-job-sync.json
cat <<TEXT

The schedule "company-job-sync" runs every six hours (00:00, 06:00, 12:00, 18:00 UTC). To sync now:
  curl -X POST $HARRIER_URL/api/v1/schedules/company-job-sync/trigger -H "Authorization: Bearer $HARRIER_KEY"
The Sync Summary:            curl $STORAGE/_state
The notifications queued:    curl $NOTIFICATIONS/_state
The scraper uploads new files (then sync again):   curl -X POST $STORAGE/_scrape
TEXT
