#!/usr/bin/env bash
# Start the local endpoint (real SmolLM2 model) and the Streamlit app pointed at it.
# Ctrl-C stops both. The local key is random per run and lives only in these processes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
EMULATOR_PORT=${EMULATOR_PORT:-8765}
APP_PORT=${APP_PORT:-8501}
LOCAL_KEY=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped the app and the local endpoint."
}
trap stop INT TERM EXIT

EMULATOR_API_KEY=$LOCAL_KEY "$PY" -m emulator --engine llama \
  --host 127.0.0.1 --port "$EMULATOR_PORT" &
pids+=($!)

# wait_for URL PID WHAT: poll URL until it answers 200; fail if PID dies first.
wait_for() {
  for _ in $(seq 1 600); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('$1', timeout=1)" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$2" 2>/dev/null; then echo "$3 failed to start; see the lines above." >&2; exit 1; fi
    sleep 0.2
  done
  echo "$3 did not answer within 2 minutes." >&2
  exit 1
}

echo "Starting the local endpoint on http://127.0.0.1:$EMULATOR_PORT ..."
wait_for "http://127.0.0.1:$EMULATOR_PORT/health" "${pids[0]}" "The local endpoint"

PLAYGROUND_LOCAL_URL="http://127.0.0.1:$EMULATOR_PORT" PLAYGROUND_LOCAL_KEY=$LOCAL_KEY \
  "$PY" -m streamlit run streamlit_app.py \
  --server.address 127.0.0.1 --server.port "$APP_PORT" --server.headless true \
  --browser.gatherUsageStats false &
pids+=($!)
wait_for "http://127.0.0.1:$APP_PORT/_stcore/health" "${pids[1]}" "The app"

echo
echo "  Playground:      http://127.0.0.1:$APP_PORT"
echo "  Local endpoint:  http://127.0.0.1:$EMULATOR_PORT  (SmolLM2-135M-Instruct)"
echo "  Ctrl-C stops both."
echo
wait -n "${pids[@]}"
