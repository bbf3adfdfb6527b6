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

echo "Waiting for the local endpoint on http://127.0.0.1:$EMULATOR_PORT ..."
for _ in $(seq 1 600); do
  if "$PY" -c "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:$EMULATOR_PORT/health', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "The local endpoint failed to start." >&2; exit 1; fi
  sleep 0.2
done

PLAYGROUND_LOCAL_URL="http://127.0.0.1:$EMULATOR_PORT" PLAYGROUND_LOCAL_KEY=$LOCAL_KEY \
  "$PY" -m streamlit run streamlit_app.py \
  --server.address 127.0.0.1 --server.port "$APP_PORT" --server.headless true \
  --browser.gatherUsageStats false &
pids+=($!)

echo
echo "  Playground:      http://127.0.0.1:$APP_PORT"
echo "  Local endpoint:  http://127.0.0.1:$EMULATOR_PORT  (SmolLM2-135M-Instruct)"
echo "  Ctrl-C stops both."
echo
wait -n "${pids[@]}"
