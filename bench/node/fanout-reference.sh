#!/usr/bin/env bash
# The Node.js reference for bench/fanout.sh: undici fetching the same URLs at the same concurrency
# from a stub (its own process) that answers after 50 ms, storing nothing. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
node fanout-reference.mjs "$@"
