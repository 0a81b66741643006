#!/usr/bin/env bash
# Live viewers benchmark (docs/BENCHMARKS.md, "Live viewers"): a real soil-server with one running
# task, VIEWERS server-sent-event viewers of its live log (bench/live-viewers.py, asyncio), then the
# server's threads, heap (jcmd GC.heap_info after a GC), idle CPU (/proc/PID/stat over IDLE
# seconds) and the latency of an appended line reaching every viewer (p50/p99).
# Usage: bench/live-viewers.sh [VIEWERS] [IDLE_SECONDS] [APPENDS] (default 1000 30 50).
set -euo pipefail

VIEWERS=${1:-1000}
IDLE=${2:-30}
APPENDS=${3:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${SOIL_SERVER_JAR:-$ROOT/server/target/soil-server.jar}
WORK=$(mktemp -d /tmp/soil-live-viewers.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v jcmd >/dev/null || { echo "jcmd missing (it comes with the JDK)" >&2; exit 1; }
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests)
fi
ulimit -n 20000

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$WORK/site"
cat >"$WORK/config.json" <<JSON
{
  "site": "$WORK/site",
  "state": "$WORK/state",
  "listen": "127.0.0.1:$PORT",
  "live": { "maxStreams": $((VIEWERS + 100)), "maxStreamsPerAddress": $((VIEWERS + 100)) }
}
JSON
TOKEN=$(java -jar "$JAR" add-worker bench --scopes github-jobs --config "$WORK/config.json")
java -Xmx512m -jar "$JAR" serve --config "$WORK/config.json" >"$WORK/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.2
done
JOB="workerHost=github&runId=1&jobName=bench"
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/event?eventName=start&$JOB" >/dev/null
curl -sf -X POST -H "Authorization: Bearer $TOKEN" --data-binary $'started\n' \
  "http://127.0.0.1:$PORT/log?$JOB&task=build" >/dev/null

echo "soil-server pid $SERVER, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/bench/live-viewers.py" "$PORT" "$VIEWERS" "$TOKEN" "$SERVER" "$IDLE" "$APPENDS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
