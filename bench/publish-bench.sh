#!/usr/bin/env bash
# Publishing throughput and memory: uploads a job whose wwz is SIZE_MB of incompressible data to
# a real soil-server on 127.0.0.1, with the worker's heap capped at 48 MiB (a wwz held in memory
# would not fit), RUNS times; prints wall time and MB/s per run, and the worker's peak RSS.
#
# Usage: bench/publish-bench.sh [SIZE_MB (default 200)] [RUNS (default 3)]
# Needs the jars (soil-scripts/mvnw -B -ntp package -DskipTests), python3 for the zip, /usr/bin/time.
set -o nounset -o pipefail -o errexit
cd "$(dirname "$0")/.."
size_mb=${1:-200}
runs=${2:-3}
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

server_jar=server/target/soil-server.jar
worker_jar=worker/target/soil-worker.jar
mkdir -p "$work/site" "$work/state" "$work/out"

python3 - "$work/out" "$size_mb" <<'PY'
import os, sys, zipfile
out, size = sys.argv[1], int(sys.argv[2])
tsv = "0\t1.0\tbig\tsh\tbig\t-\n"
open(f"{out}/bench.tsv", "w").write(tsv)
open(f"{out}/bench.json", "w").write('{\n  "job-name": "bench",\n  "GITHUB_RUN_NUMBER": "1"\n}\n')
with zipfile.ZipFile(f"{out}/bench.wwz", "w", zipfile.ZIP_STORED) as z:
    z.writestr("index.html", "<p>bench</p>")
    z.writestr("_tmp/soil/INDEX.tsv", tsv)
    z.writestr("_tmp/soil/logs/big.txt", "ok\n")
    with z.open("_tmp/noise.bin", "w", force_zip64=True) as f:
        for _ in range(size):
            f.write(os.urandom(1 << 20))
PY

token=$(java -jar "$server_jar" add-worker bench --site "$work/site" --state "$work/state" \
  --scopes github-jobs 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -jar "$server_jar" serve --site "$work/site" --state "$work/state" \
  --listen "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done

echo "publish-bench: $(du -m "$work/out/bench.wwz" | cut -f1) MB wwz, worker -Xmx48m, $runs runs"
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  SOIL_TOKEN=$token /usr/bin/time -f '%M' -o "$work/rss" \
    java -Xmx48m -jar "$worker_jar" publish --server "http://127.0.0.1:$port/" --no-done-event \
    "$work/out/bench" > /dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v mb="$size_mb" -v rss="$(cat "$work/rss")" -v i="$i" \
    'BEGIN { printf "run %d: %.2f s, %.0f MB/s, worker peak RSS %.0f MiB\n", i, e - s, mb / (e - s), rss / 1024 }'
done
