#!/usr/bin/env bash
# The shared limits benchmark: scrape requests a second through packaged instances to a local stub,
# every request counted against one shared limit set far above the stub's capacity, against no
# limit; one and three instances. Packages the service first. Runs against HARRIER_TEST_DB_URL
# (default: the PostgreSQL on 127.0.0.1:5432, database "test"), whose schema "harrier" it drops and
# recreates. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
export HARRIER_TEST_DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
./mvnw -B -q package -DskipTests
./mvnw -B -q test -Dtest=LimitsBenchmark -Dtest.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 \
  | grep --line-buffered -E "^BENCH|ERROR|FAIL" || true
