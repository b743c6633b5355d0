#!/usr/bin/env bash
# The pipeline benchmark: an `each` of 10,000 noop children through two engines, enqueue to
# completed, against the same jobs enqueued flat with the batch call. Runs against
# HARRIER_TEST_DB_URL (default: the PostgreSQL on 127.0.0.1:5432, database "test"), whose schema
# "harrier" it drops and recreates. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
export HARRIER_TEST_DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
./mvnw -B -q test -Dtest=PipelineBenchmark -Dtest.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 \
  | grep --line-buffered -E "^BENCH|ERROR|FAIL" || true
