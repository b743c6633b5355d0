#!/usr/bin/env bash
# Starts one of the seed examples: examples/run.sh 000 (or 001 ... 004).
#
# 1. its stand-ins (examples/NNN-*/stubs.py: the job board, the app's endpoints, ...) on
#    127.0.0.1:$EXAMPLE_STUB_PORT and the ports after it;
# 2. Harrier the README's way (./run: the embedded PostgreSQL unless HARRIER_DB_URL is set), with
#    the API key $EXAMPLE_KEY, HARRIER_HTTP_ALLOWED_TARGETS naming exactly the stubs' ports, and a
#    secrets key generated once into .harrier/example-secrets-key;
# 3. the example's own worker, if it has one (examples/NNN-*/worker.py);
# 4. its setup (examples/NNN-*/setup.sh: the schedules, secrets, limits and kinds, as curl calls),
#    then prints what to open. Ctrl+C stops everything. The service's log: .harrier/example-NNN.log.
#
# Settings (environment): EXAMPLE_PORT (8080), EXAMPLE_MANAGEMENT_PORT (9000), EXAMPLE_STUB_PORT
# (4100), EXAMPLE_KEY, HARRIER_DB_URL, HARRIER_JAR (run that jar instead of ./run), and each
# example's own (its README).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-}"
DIR=$(ls -d examples/"${N:-none}"-*/ 2>/dev/null | head -1 || true)
[ -n "$N" ] && [ -n "$DIR" ] || { echo "usage: examples/run.sh NNN, one of: $(cd examples && ls -d [0-9][0-9][0-9]-* | tr '\n' ' ')" >&2; exit 2; }
DIR=${DIR%/}
for tool in python3 curl; do command -v $tool >/dev/null || { echo "examples/run.sh needs $tool" >&2; exit 2; }; done

export EXAMPLE_PORT="${EXAMPLE_PORT:-8080}"
export EXAMPLE_STUB_PORT="${EXAMPLE_STUB_PORT:-4100}"
MGMT="${EXAMPLE_MANAGEMENT_PORT:-9000}"
export HARRIER_URL="http://localhost:$EXAMPLE_PORT"
export HARRIER_KEY="${EXAMPLE_KEY:-hk_example_local_only_0123456789}"
STUBS=1
. "$DIR/example.env"
mkdir -p .harrier
if [ -z "${HARRIER_SECRETS_KEY:-}" ]; then
  [ -f .harrier/example-secrets-key ] || python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > .harrier/example-secrets-key
  HARRIER_SECRETS_KEY=$(cat .harrier/example-secrets-key)
fi
targets=""
for i in $(seq 0 $((STUBS - 1))); do targets="$targets${targets:+,}127.0.0.1:$((EXAMPLE_STUB_PORT + i))"; done

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

python3 "$DIR/stubs.py" &
PIDS+=($!)

LOG=".harrier/example-$N.log"
service=(./run)
[ -n "${HARRIER_JAR:-}" ] && service=("${JAVA:-java}" -jar "$HARRIER_JAR")
env HARRIER_API_KEYS="default:$HARRIER_KEY" QUARKUS_HTTP_PORT="$EXAMPLE_PORT" QUARKUS_MANAGEMENT_PORT="$MGMT" \
  HARRIER_HTTP_ALLOWED_TARGETS="$targets" HARRIER_SECRETS_KEY="$HARRIER_SECRETS_KEY" ${SERVICE_ENV:-} \
  "${service[@]}" > "$LOG" 2>&1 &
PIDS+=($!)
SERVICE=$!
echo "Starting Harrier on $HARRIER_URL (log: $LOG) ..."
for _ in $(seq 1 600); do
  curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break
  kill -0 $SERVICE 2>/dev/null || { echo "Harrier did not start; the end of $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; }
  sleep 0.5
done
curl -sf "localhost:$MGMT/q/health/ready" >/dev/null || { echo "Harrier was not ready in 5 minutes" >&2; exit 1; }

if [ -f "$DIR/worker.py" ]; then
  HARRIER_API_KEY="$HARRIER_KEY" python3 "$DIR/worker.py" &
  PIDS+=($!)
fi
bash "$DIR/setup.sh"
echo
echo "Example $N is running. The dashboard: $HARRIER_URL/ui/ (sign in with the API key $HARRIER_KEY)."
echo "Ctrl+C stops it."
wait $SERVICE
