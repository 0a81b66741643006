#!/usr/bin/env bash
# Serving benchmark: a 1 MiB log out of a job's wwz vs the same bytes as a plain static file,
# from soil-server, and the static file from nginx for reference. wrk on loopback, 64
# connections, DURATION seconds per case after a short warm-up. Bounded: every process started
# here is stopped on exit. Usage: bench/serve-bench.sh [DURATION_SECONDS] (default 10).
set -euo pipefail

DURATION=${1:-10}
CONNECTIONS=64
THREADS=2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/server/target/soil-server.jar
WORK=$(mktemp -d /tmp/soil-serve-bench.XXXXXX)
chmod 755 "$WORK"  # nginx's workers run unprivileged and must read the site
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx" >&2; exit 1; }
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# 1 MiB of log-like text (deterministic), deflated into a wwz as Soil's `zip -r` does.
SITE=$WORK/site
mkdir -p "$SITE/github-jobs/1/bench/_tmp/soil/logs" "$SITE/static"
python3 - "$SITE/static/big.txt" <<'PY'
import random, sys
random.seed(42)
words = "ok FAIL test spec osh bash dash zsh case passed failed elapsed line expected got".split()
out, size = [], 0
while size < 1 << 20:
    line = "%06d %s\n" % (len(out), " ".join(random.choice(words) for _ in range(12)))
    out.append(line); size += len(line)
data = "".join(out).encode()[: 1 << 20]
open(sys.argv[1], "wb").write(data)
PY
cp "$SITE/static/big.txt" "$SITE/github-jobs/1/bench/_tmp/soil/logs/big.txt"
(cd "$SITE/github-jobs/1/bench" && python3 -c '
import zipfile
with zipfile.ZipFile("../bench.wwz", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("_tmp/soil/logs/big.txt")
')
rm -rf "$SITE/github-jobs/1/bench"

# The cache-miss case: 400 different 1 MiB logs (400 MiB inflated, over the server's 128 MiB
# entry cache), requested in random order, from one wwz and as 400 static files.
MANY=400
mkdir -p "$SITE/static/many"
python3 - "$SITE" "$MANY" <<'PY'
import sys, zipfile
site, many = sys.argv[1], int(sys.argv[2])
base = open(site + "/static/big.txt", "rb").read()
with zipfile.ZipFile(site + "/github-jobs/1/many.wwz", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(many):
        data = (b"log %03d\n" % i) + base[: (1 << 20) - 8]
        open(site + "/static/many/t%03d.txt" % i, "wb").write(data)
        z.writestr("_tmp/soil/logs/t%03d.txt" % i, data)
PY
for prefix in wwz static; do
  cat >"$WORK/random-$prefix.lua" <<LUA
math.randomseed(42)
request = function()
  local i = math.random(0, $MANY - 1)
  if "$prefix" == "wwz" then
    return wrk.format("GET", string.format("/github-jobs/1/many.wwz/_tmp/soil/logs/t%03d.txt", i))
  end
  return wrk.format("GET", string.format("/static/many/t%03d.txt", i))
end
LUA
done

SOIL_PORT=$(free_port)
java -Xmx1g -jar "$JAR" serve --site "$SITE" --state "$WORK/state" \
  --listen "127.0.0.1:$SOIL_PORT" >"$WORK/soil.log" 2>&1 &
PIDS+=($!)

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/access.log;
  sendfile on;
  default_type text/plain;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NGINX_PORT; root $SITE; }
}
NGX
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$SOIL_PORT/healthz" >/dev/null 2>&1 \
    && curl -fsS "http://127.0.0.1:$NGINX_PORT/static/big.txt" >/dev/null 2>&1 && break
  sleep 0.2
done

WWZ_URL="http://127.0.0.1:$SOIL_PORT/github-jobs/1/bench.wwz/_tmp/soil/logs/big.txt"
STATIC_URL="http://127.0.0.1:$SOIL_PORT/static/big.txt"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/static/big.txt"
cmp <(curl -fsS "$WWZ_URL") "$SITE/static/big.txt"
cmp <(curl -fsS "$STATIC_URL") "$SITE/static/big.txt"
cmp <(curl -fsS "$NGINX_URL") "$SITE/static/big.txt"

# Prints "requests/s p99" for one URL (and optionally a wrk Lua script choosing paths).
measure() {
  local script=()
  if [ -n "${2:-}" ]; then script=(-s "$2"); fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "${script[@]}" "$1" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" "$1" >"$WORK/wrk.out"
  if grep -q "Non-2xx\|Socket errors" "$WORK/wrk.out"; then
    cat "$WORK/wrk.out" >&2
    echo "errors while measuring $1" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}' "$WORK/wrk.out"
}

read -r WWZ_RPS WWZ_P99 < <(measure "$WWZ_URL")
read -r STATIC_RPS STATIC_P99 < <(measure "$STATIC_URL")
read -r NGINX_RPS NGINX_P99 < <(measure "$NGINX_URL")
SOIL_BASE="http://127.0.0.1:$SOIL_PORT"
read -r MWWZ_RPS MWWZ_P99 < <(measure "$SOIL_BASE" "$WORK/random-wwz.lua")
read -r MSTATIC_RPS MSTATIC_P99 < <(measure "$SOIL_BASE" "$WORK/random-static.lua")
read -r MNGINX_RPS MNGINX_P99 < <(measure "http://127.0.0.1:$NGINX_PORT" "$WORK/random-static.lua")

echo "1 MiB file, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, loopback, $(nproc) cores"
printf '%-34s %12s %10s\n' "case" "requests/s" "p99"
printf '%-34s %12s %10s\n' "soil-server: wwz entry" "$WWZ_RPS" "$WWZ_P99"
printf '%-34s %12s %10s\n' "soil-server: static file" "$STATIC_RPS" "$STATIC_P99"
printf '%-34s %12s %10s\n' "nginx: static file" "$NGINX_RPS" "$NGINX_P99"
awk -v w="$WWZ_RPS" -v s="$STATIC_RPS" 'BEGIN {printf "wwz / static (soil-server) = %.2f (target >= 0.70)\n", w / s}'
echo
echo "$MANY different 1 MiB files in random order (entry cache mostly missing)"
printf '%-34s %12s %10s\n' "case" "requests/s" "p99"
printf '%-34s %12s %10s\n' "soil-server: wwz entries" "$MWWZ_RPS" "$MWWZ_P99"
printf '%-34s %12s %10s\n' "soil-server: static files" "$MSTATIC_RPS" "$MSTATIC_P99"
printf '%-34s %12s %10s\n' "nginx: static files" "$MNGINX_RPS" "$MNGINX_P99"
awk -v w="$MWWZ_RPS" -v s="$MSTATIC_RPS" 'BEGIN {printf "wwz / static (soil-server) = %.2f\n", w / s}'
