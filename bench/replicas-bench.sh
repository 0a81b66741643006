#!/bin/bash
# The distributed mode against one box, in one run (docs/BENCHMARKS.md, "Distributed mode"):
# builds soil-server.jar (and fetches s3proxy's jar through the server pom), then for each mode
#   single  one `serve` on its folder, nothing external (the default)
#   1       one replica of the distributed mode: nats-server (JetStream) + s3proxy (filesystem)
#   3       three replicas on the same nats-server and bucket
# warms the servers up with WARMUP_SECONDS (15) of uploads, then uploads small jobs from WORKERS
# threads for SECONDS (each upload to the next server in turn),
# then times EVENTS start events from the answer-less send to the run page, read from another
# replica, showing the job (bench/replicas/ReplicasBench.java). Every process runs on this machine.
# Usage: bench/replicas-bench.sh [MODES...]   (default: single 1 3)
# SOIL_SERVER_JAR=PATH runs another build's soil-server.jar (an A/B against an older tree; with
# SKIP_BUILD=1), s3proxy still from this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- single 1 3
WORKERS=${WORKERS:-8}
SECONDS_PER_MODE=${SECONDS_PER_MODE:-30}
EVENTS=${EVENTS:-200}
if [ -z "${SKIP_BUILD:-}" ]; then
  soil-scripts/mvnw -B -ntp -q -pl server -am verify -DskipTests -Dspotless.check.skip=true \
    -Dsoil.fuzz.skip=true
fi
jar=${SOIL_SERVER_JAR:-$PWD/server/target/soil-server.jar}
s3jar=$PWD/server/target/s3proxy/s3proxy.jar
[ -f "$s3jar" ] || { echo "replicas-bench: no $s3jar (the server pom fetches it at verify)"; exit 1; }
command -v nats-server > /dev/null || { echo "replicas-bench: no nats-server (soil-scripts/test-env.sh)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-replicas-bench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_http() { # URL PID LOG
  for _ in $(seq 1 3000); do
    curl -sf "$1" > /dev/null 2>&1 && return 0
    kill -0 "$2" 2> /dev/null || { cat "$3"; exit 1; }
    sleep 0.2
  done
  echo "replicas-bench: $1 did not answer"; exit 1
}
cpu_seconds() { # PID...: user+system CPU seconds so far, summed
  local total=0
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}
export SOIL_S3_ACCESS_KEY=bench SOIL_S3_SECRET_KEY=bench-secret
echo "replicas-bench: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$WORKERS upload workers for $SECONDS_PER_MODE s, $EVENTS events, $jar"

for mode in "$@"; do
  dir=$work/$mode
  mkdir -p "$dir"
  if [ "$mode" = single ]; then
    replicas=1
  else
    replicas=$mode
    nats_port=$(free_port)
    nats-server -js -sd "$dir/nats" -a 127.0.0.1 -p "$nats_port" > "$dir/nats.log" 2>&1 &
    pids+=($!)
    s3_port=$(free_port)
    mkdir -p "$dir/s3/soil"
    printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$s3_port" "s3proxy.authorization=aws-v2-or-v4" \
      "s3proxy.identity=$SOIL_S3_ACCESS_KEY" "s3proxy.credential=$SOIL_S3_SECRET_KEY" \
      "jclouds.provider=filesystem" "jclouds.filesystem.basedir=$dir/s3" > "$dir/s3proxy.conf"
    LOG_LEVEL=warn java -Xmx256m -jar "$s3jar" --properties "$dir/s3proxy.conf" > "$dir/s3proxy.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 600); do
      curl -s -o /dev/null "http://127.0.0.1:$s3_port/" && break
      sleep 0.2
    done
  fi
  token=$(java -jar "$jar" add-worker bench --site "$dir/r1/site" --state "$dir/r1/state" \
    --scopes github-jobs,status-api 2> /dev/null)
  # One token for every upload thread: let it hold as many uploads as there are threads.
  guards="\"guards\": {\"maxUploadsPerWorker\": $WORKERS}"
  urls=()
  server_pids=()
  for i in $(seq 1 "$replicas"); do
    mkdir -p "$dir/r$i/site" "$dir/r$i/state"
    [ "$i" = 1 ] || cp "$dir/r1/state/workers.json" "$dir/r$i/state/"
    port=$(free_port)
    config=$dir/r$i/soil.json
    if [ "$mode" = single ]; then
      echo "{\"site\": \"$dir/r$i/site\", \"state\": \"$dir/r$i/state\", $guards}" > "$config"
    else
      echo "{\"site\": \"$dir/r$i/site\", \"state\": \"$dir/r$i/state\", $guards, \"distributed\": {\"replica\": \"r$i\", \"events\": \"nats://127.0.0.1:$nats_port\", \"storage\": {\"endpoint\": \"http://127.0.0.1:$s3_port\", \"bucket\": \"soil\"}}}" > "$config"
    fi
    java -Xmx512m -jar "$jar" serve --config "$config" --listen "127.0.0.1:$port" \
      > "$dir/r$i.log" 2>&1 &
    pids+=($!)
    server_pids+=($!)
    await_http "http://127.0.0.1:$port/readyz" "$!" "$dir/r$i.log"
    urls+=("http://127.0.0.1:$port/")
  done
  label="$mode"
  [ "$mode" = single ] && label="single box (folder)" || label="$mode replica(s) (NATS + S3)"
  others=("${pids[@]:0:${#pids[@]}-${#server_pids[@]}}")
  servers_before=$(cpu_seconds "${server_pids[@]}")
  others_before=0.0
  [ ${#others[@]} -eq 0 ] || others_before=$(cpu_seconds "${others[@]}")
  SERVER_PIDS="${server_pids[*]}" WARMUP_SECONDS=${WARMUP_SECONDS:-15} \
    java -cp "$jar" bench/replicas/ReplicasBench.java "$(IFS=,; echo "${urls[*]}")" "$token" \
    "$WORKERS" "$SECONDS_PER_MODE" "$EVENTS" "$label"
  servers_after=$(cpu_seconds "${server_pids[@]}")
  others_after=0.0
  [ ${#others[@]} -eq 0 ] || others_after=$(cpu_seconds "${others[@]}")
  echo "  CPU during the run: soil-server(s) $(echo "$servers_after $servers_before" | awk '{printf "%.1f", $1 - $2}') s," \
    "nats-server + s3proxy $(echo "$others_after $others_before" | awk '{printf "%.1f", $1 - $2}') s;" \
    "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_all
done
