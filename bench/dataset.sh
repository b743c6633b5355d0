#!/usr/bin/env bash
# The dataset benchmark: a sync of 1,000,000 records (the first snapshot), then of a second snapshot
# with 1 % new, 1 % changed and 1 % gone records, each read with recordsFrom from a local file server
# (python3 -m http.server). Runs the packaged jar against HARRIER_TEST_DB_URL (default: the
# PostgreSQL on 127.0.0.1:5432, database "test"), whose schema "harrier" it drops first, and prints
# each sync's time and the JVM's peak heap during it (polled from /q/metrics every 200 ms).
#
#   bench/dataset.sh                                # the JVM's defaults
#   JVM_OPTS="-Xmx256m" bench/dataset.sh            # a small machine
#   RECORDS=1000000 bench/dataset.sh                # the default
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
RECORDS="${RECORDS:-1000000}"
JVM_OPTS="${JVM_OPTS:-}"
KEY="bench-dataset-key-0123456789abcdef"
PORT=18081
MGMT=19001
FILES_PORT=18091
DIR=$(mktemp -d)

if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
python3 - "$DIR" "$RECORDS" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
def write(name, rows):
    with open(f"{out}/{name}", "w") as f:
        f.write('{"jobs": [')
        for i, r in enumerate(rows):
            if i:
                f.write(",")
            f.write(json.dumps(r))
        f.write("]}")
def job(i, salary="100k"):
    return {"title": f"Engineer {i}", "location": "Seattle, WA", "company": "Acme",
            "url": f"https://jobs.example/{i}", "salary": salary, "description": "Build things. " * 3}
write("first.json", (job(i) for i in range(n)))
p = n // 100
# 1 % gone (the first p), 1 % changed (the next p), 1 % new (p past the end).
write("second.json", (job(i, "120k" if i < 2 * p else "100k") for i in range(p, n + p)))
PY
ls -la "$DIR"
PGOPTIONS="-c client_min_messages=warning" psql "$DB_URL" -qc "DROP SCHEMA IF EXISTS harrier CASCADE"
(cd "$DIR" && exec python3 -m http.server "$FILES_PORT" --bind 127.0.0.1 > /dev/null 2>&1) &
FILES=$!
# shellcheck disable=SC2086
HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
  HARRIER_HTTP_ALLOWED_TARGETS="127.0.0.1:$FILES_PORT" \
  "$JAVA_HOME/bin/java" $JVM_OPTS -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-dataset.log 2>&1 &
PID=$!
cleanup() {
  kill "$PID" "$FILES" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -sf "localhost:$MGMT/q/health/ready" > /dev/null && break
  sleep 1
done

heap() {
  curl -s "localhost:$MGMT/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f", s}'
}

sync() {
  local file=$1
  local id started peak status now
  id=$(curl -s -X POST "localhost:$PORT/api/v1/jobs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"kind\": \"sync\", \"timeoutSeconds\": 3600, \"args\": {\"dataset\": \"bench\", \"key\": [\"title\", \"location\", \"company\"],
         \"recordsFrom\": {\"url\": \"http://127.0.0.1:$FILES_PORT/$file\", \"pointer\": \"/jobs\"}}}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  started=$(date +%s.%N)
  peak=0
  while true; do
    now=$(heap)
    [ "$now" -gt "$peak" ] && peak=$now
    status=$(curl -s "localhost:$PORT/api/v1/jobs/$id" -H "Authorization: Bearer $KEY" \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"])')
    case "$status" in completed|failed|cancelled) break ;; esac
    sleep 0.2
  done
  local seconds
  seconds=$(echo "$(date +%s.%N) - $started" | bc)
  echo "BENCH dataset sync of $file: $status in ${seconds} s, peak heap $((peak / 1048576)) MiB (JVM_OPTS='$JVM_OPTS')"
  curl -s "localhost:$PORT/api/v1/jobs/$id" -H "Authorization: Bearer $KEY" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("BENCH   result", json.dumps(d["result"] or d["error"]))'
}

echo "BENCH idle heap $(( $(heap) / 1048576 )) MiB"
sync first.json
sync second.json
