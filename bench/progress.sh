#!/usr/bin/env bash
# Progress writes from 1,000 running jobs, alone and beside 16 single-job enqueuers (bench/README.md, "The notification lock").
# Runs against HARRIER_TEST_DB_URL (default: the PostgreSQL on 127.0.0.1:5432, database "test"),
# whose schema "harrier" it drops and recreates. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
export HARRIER_TEST_DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
./mvnw -B -q test -Dtest=ProgressBenchmark -Dtest.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 \
  | grep --line-buffered -E "^BENCH|ERROR|FAIL" || true
