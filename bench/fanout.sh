#!/usr/bin/env bash
# The fan-out benchmark: a scrape of 10,000 URLs at concurrency 200 against a local stub that
# answers after 50 ms. Add -Dbench.urls=100000 -Dtest.jvm.args=-Xmx128m for the flat-memory run.
# Runs against HARRIER_TEST_DB_URL (default: the PostgreSQL on 127.0.0.1:5432, database "test"),
# whose schema "harrier" it drops and recreates. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
export HARRIER_TEST_DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
./mvnw -B -q test -Dtest=FanOutBenchmark -Dtest.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false \
  -Dharrier.http.pool-size-per-host=256 "$@" 2>&1 \
  | grep --line-buffered -E "^BENCH|ERROR|FAIL" || true
