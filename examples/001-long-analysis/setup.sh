#!/usr/bin/env bash
# Seed 001's setup on Harrier: the kind `search`, run by worker.py (one attempt: the seed wants no
# retries, a failed search stays failed).
set -euo pipefail
cd "$(dirname "$0")"
. ../lib/api.sh
api PUT /api/v1/kinds/search requests/kind-search.json
cat <<TEXT

Open the app's page and start a search (each of its ten stages takes ${STAGE_SECONDS:-60} s):
  http://127.0.0.1:$EXAMPLE_STUB_PORT/
Reload it at any time: ?job=<id> in its URL resumes. Search for "fail" to see a failed search.
TEXT
