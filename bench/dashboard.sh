#!/usr/bin/env bash
# What one open dashboard costs the service (issue 23): the packaged service at its defaults runs
# JOBS noop jobs enqueued at RATE jobs a second (bench/node/paced-enqueue.mjs), with no dashboard and
# with one dashboard open on its overview in the system's Chromium (bench/node/dashboard-open.mjs,
# through chromedriver), ROUNDS times each, interleaved (none, open; then open, none; ...). Prints,
# per run and as medians, the service's CPU seconds per 100,000 jobs (utime + stime from /proc) and
# the PostgreSQL server's (every postgres process on the machine). The jobs table is emptied before
# each run; a first uncounted run of WARMUP jobs warms the JVM. Uses HARRIER_TEST_DB_URL (default
# postgresql://postgres@127.0.0.1:5432/test; its schema "harrier" is dropped). Needs node, psql,
# chromium and chromedriver. See bench/README.md.
#
#   bench/dashboard.sh                               # 5 + 5 runs of 100,000 jobs at 1,000 jobs/s
#   ROUNDS=2 JOBS=20000 bench/dashboard.sh           # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
DB_URL="${DB_URL#jdbc:}"
ROUNDS="${ROUNDS:-5}"
JOBS="${JOBS:-100000}"
RATE="${RATE:-1000}"
WARMUP="${WARMUP:-20000}"
KEY="bench-dashboard-key-0123456789abcdef"
PORT=18083
MGMT=19003
DRIVER_PORT=19515
export PGOPTIONS="-c client_min_messages=warning"
for tool in psql node chromedriver; do command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

psql -qc "DROP SCHEMA IF EXISTS harrier CASCADE" "$DB_URL"
HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
  "$JAVA_HOME/bin/java" -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-dashboard.log 2>&1 &
PID=$!
chromedriver --port=$DRIVER_PORT > /tmp/harrier-dashboard-driver.log 2>&1 &
DRIVER=$!
PAGE=""
trap 'kill $PID $DRIVER ${PAGE:+$PAGE} 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break; sleep 0.25; done
curl -sf "localhost:$MGMT/q/health/ready" >/dev/null || { echo "BENCH dashboard: the service did not become ready" >&2; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() { local sum=0 p; for p in $(pgrep -x postgres); do sum=$((sum + $(ticks "$p" 2>/dev/null || echo 0))); done; echo $sum; }
drained() { [ "$(psql -Atc "SELECT count(*) FROM harrier.jobs WHERE status <> 'completed'" "$DB_URL")" = "0" ]; }
enqueue() { (cd bench/node && HARRIER_URL="http://localhost:$PORT" HARRIER_KEY=$KEY JOBS=$1 RATE=$RATE node paced-enqueue.mjs); }

# run LABEL JOBS DASHBOARD(yes|no): one timed run; appends "label service pg" to /tmp/harrier-dashboard.runs
run() {
  psql -qc "TRUNCATE harrier.jobs CASCADE" "$DB_URL"
  local drawn=""
  if [ "$3" = yes ]; then
    HARRIER_URL="http://localhost:$PORT" HARRIER_KEY=$KEY CHROMEDRIVER_URL="http://127.0.0.1:$DRIVER_PORT" \
      node bench/node/dashboard-open.mjs > /tmp/harrier-dashboard-page.log 2>&1 &
    PAGE=$!
    for _ in $(seq 1 120); do grep -q '^open' /tmp/harrier-dashboard-page.log && break; sleep 0.25; done
    grep -q '^open' /tmp/harrier-dashboard-page.log || { echo "BENCH dashboard: the page did not open" >&2; cat /tmp/harrier-dashboard-page.log >&2; exit 1; }
  fi
  sleep 2
  local s0 p0 s1 p1 sent
  s0=$(ticks $PID); p0=$(pg_ticks)
  sent=$(enqueue "$2")
  until drained; do sleep 0.1; done
  s1=$(ticks $PID); p1=$(pg_ticks)
  if [ -n "$PAGE" ]; then
    kill -TERM "$PAGE"; wait "$PAGE" || true; PAGE=""
    drawn=", $(grep 'counts events' /tmp/harrier-dashboard-page.log)"
  fi
  local service pg
  service=$(python3 -c "print(f'{($s1 - $s0) / 100 / $2 * 100000:.1f}')")
  pg=$(python3 -c "print(f'{($p1 - $p0) / 100 / $2 * 100000:.1f}')")
  echo "BENCH dashboard: $1: $sent; service $service, PostgreSQL $pg CPU s per 100,000 jobs$drawn"
  [ "$1" = warm-up ] || echo "$1 $service $pg" >> /tmp/harrier-dashboard.runs
}

rm -f /tmp/harrier-dashboard.runs
run warm-up "$WARMUP" no
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then run none "$JOBS" no; run dashboard "$JOBS" yes
  else run dashboard "$JOBS" yes; run none "$JOBS" no; fi
done
python3 - <<'PY'
import statistics
runs = [line.split() for line in open("/tmp/harrier-dashboard.runs")]
med = {label: [statistics.median(float(r[i]) for r in runs if r[0] == label) for i in (1, 2)] for label in ("none", "dashboard")}
for label, (service, pg) in med.items():
    print(f"BENCH dashboard: median, {label}: service {service:.1f}, PostgreSQL {pg:.1f} CPU s per 100,000 jobs")
print(f"BENCH dashboard: one dashboard open: service {100 * (med['dashboard'][0] / med['none'][0] - 1):+.1f} %, "
      f"PostgreSQL {100 * (med['dashboard'][1] / med['none'][1] - 1):+.1f} %")
PY
