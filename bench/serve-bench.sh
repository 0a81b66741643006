#!/usr/bin/env bash
# Serving benchmark: soil-server against nginx on the same files, in one run so every ratio shares
# the machine's state. A 1 MiB log out of a job's wwz (deflated, as Soil's `zip -r` makes them),
# the same bytes as a static file, a 5 KiB page, and 400 different 1 MiB logs in random order
# (wwz entries and static files); each with a plain client and with a gzip client (wrk
# -H 'Accept-Encoding: gzip'). nginx serves the static files twice: as plain files (sendfile,
# no gzip: how it serves .txt without gzip_static) and with `gzip on` (level 1, its default) for the
# gzip client. wrk on loopback, 64 connections, DURATION seconds per case after a 3 s warm-up.
# Fair to both servers: each group of cases runs twice, in one order and then in the reverse
# order (A B C, C B A), and each figure is the mean of its two runs, so a case is not favoured by
# its place (what ran before it, the machine's load drifting); before each case the script waits
# until neither server uses CPU any more (the last case's requests still being answered), and
# before the first it warms soil-server's JIT up on every case. Beside requests/s, each case shows
# the server's CPU time per request (its threads or processes, read from /proc during the measured
# run): on a machine shared with other work, requests/s says how many cycles a server got, CPU per
# request what each answer cost.
# Bounded: every process started here is stopped on exit.
# Usage: bench/serve-bench.sh [DURATION_SECONDS] (default 10); SOIL_SERVER_JAR=PATH to measure
# another build of the jar; SOIL_SERVER_JAVA_OPTS="FLAGS" adds JVM flags (e.g. the launcher's);
# SERVE_BENCH_GROUPS="page" (any of "hot page many", default all) for
# fewer cases.
set -euo pipefail

DURATION=${1:-10}
CONNECTIONS=64
THREADS=2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${SOIL_SERVER_JAR:-$ROOT/server/target/soil-server.jar}
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

# A 5 KiB page (log-like HTML), as the site's small pages are.
python3 - "$SITE/static/page.html" <<'PY'
import random, sys
random.seed(7)
rows, size = [], 0
while size < 5 * 1024 - 40:
    row = "<tr><td>%d</td><td>task-%d</td><td>%s</td></tr>\n" % (
        len(rows), random.randint(0, 999), random.choice(["ok", "FAIL", "skip"]))
    rows.append(row); size += len(row)
page = "<html><table>\n" + "".join(rows)
page = page[: 5 * 1024 - 17] + "</table></html>\n"
open(sys.argv[1], "w").write(page)
PY

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
# shellcheck disable=SC2086
java -Xmx1g ${SOIL_SERVER_JAVA_OPTS:-} -jar "$JAR" serve --site "$SITE" --state "$WORK/state" \
  --listen "127.0.0.1:$SOIL_PORT" >"$WORK/soil.log" 2>&1 &
SOIL_PID=$!
PIDS+=("$SOIL_PID")

NGINX_PORT=$(free_port)
NGINX_GZIP_PORT=$(free_port)
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
  include /etc/nginx/mime.types;
  # Plain files, as nginx serves .txt without gzip_static: sendfile, no compression.
  server { listen 127.0.0.1:$NGINX_PORT; root $SITE; }
  # The same files compressed for a gzip client on every request (level 1, nginx's default).
  server {
    listen 127.0.0.1:$NGINX_GZIP_PORT; root $SITE;
    gzip on; gzip_types text/plain; gzip_min_length 256;
  }
}
NGX
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$SOIL_PORT/healthz" >/dev/null 2>&1 \
    && curl -fsS "http://127.0.0.1:$NGINX_PORT/static/big.txt" >/dev/null 2>&1 && break
  sleep 0.2
done

SOIL="http://127.0.0.1:$SOIL_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
NGINX_GZIP="http://127.0.0.1:$NGINX_GZIP_PORT"
WWZ_PATH=/github-jobs/1/bench.wwz/_tmp/soil/logs/big.txt
# Every route must answer exactly the file, plain and gzipped.
for url in "$SOIL$WWZ_PATH" "$SOIL/static/big.txt" "$NGINX/static/big.txt"; do
  cmp <(curl -fsS "$url") "$SITE/static/big.txt"
done
for url in "$SOIL$WWZ_PATH" "$SOIL/static/big.txt" "$NGINX_GZIP/static/big.txt"; do
  cmp <(curl -fsS --compressed "$url") "$SITE/static/big.txt"
  [ "$(curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download}' "$url")" -lt $((1 << 19)) ] \
    || { echo "$url did not answer gzipped" >&2; exit 1; }
done
for url in "$SOIL/static/page.html" "$NGINX/static/page.html"; do
  cmp <(curl -fsS "$url") "$SITE/static/page.html"
done
for url in "$SOIL/static/page.html" "$NGINX_GZIP/static/page.html"; do
  cmp <(curl -fsS --compressed "$url") "$SITE/static/page.html"
done
cmp <(curl -fsS --compressed "$SOIL/github-jobs/1/many.wwz/_tmp/soil/logs/t007.txt") \
  "$SITE/static/many/t007.txt"
GZ_BYTES=$(curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download}' "$SOIL$WWZ_PATH")

# CPU ticks (1/100 s) used so far by soil-server ("soil") or nginx ("nginx": master and workers).
ticks_of() {
  local pid total=0 pids
  if [ "$1" = soil ]; then pids=$SOIL_PID; else pids="$NGINX_PID $(pgrep -P "$NGINX_PID" || true)"; fi
  for pid in $pids; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
server_ticks() { echo $(($(ticks_of soil) + $(ticks_of nginx))); }

# Prints "requests/s p99 cpu" for one case: URL, optional wrk Lua script choosing paths, optional
# "gzip" for a client that takes gzip; cpu is the server's CPU time per request in microseconds
# (all its threads or processes, during the measured run), a figure the machine's load disturbs
# less than requests/s: on a shared machine a server gets fewer cycles, not dearer ones.
measure() {
  # A host name, as a real site is reached by: with an IP literal (127.0.0.1:PORT) Undertow checks
  # the Host header with a regular expression on every request (~13% of soil-server's CPU on the
  # 5 KiB page here, JFR); nginx is given the same header.
  local args=(-H "Host: ci.example.org") server=nginx before after
  case $1 in "$SOIL"*) server=soil ;; esac
  if [ -n "${2:-}" ]; then args+=(-s "$2"); fi
  if [ "${3:-}" = gzip ]; then args+=(-H 'Accept-Encoding: gzip'); fi
  # A 30 s timeout, not wrk's 2 s: nginx compressing 1 MiB per request on a loaded machine is
  # slow, not failing.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s --timeout 30s "${args[@]}" "$1" >/dev/null
  before=$(ticks_of $server)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency "${args[@]}" "$1" \
    >"$WORK/wrk.out"
  after=$(ticks_of $server)
  if grep -q "Non-2xx\|Socket errors" "$WORK/wrk.out"; then
    cat "$WORK/wrk.out" >&2
    echo "errors while measuring $1" >&2
    exit 1
  fi
  awk -v ticks=$((after - before)) '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} / requests in / {n=$1}
    END {printf "%s %s %.1f\n", rps, p99, ticks * 10000 / n}' "$WORK/wrk.out"
}

# Waits until the servers used under 5 ticks (50 ms) of CPU in half a second, at most 30 s.
settle() {
  local before after
  for _ in $(seq 1 60); do
    before=$(server_ticks)
    sleep 0.5
    after=$(server_ticks)
    [ $((after - before)) -ge 5 ] || return 0
  done
}

declare -A URL SCRIPT GZ RPS P99 RUNS CPU CPUS
case_is() { URL[$1]=$2; SCRIPT[$1]=${3:-}; GZ[$1]=${4:-}; }
case_is wwz "$SOIL$WWZ_PATH"
case_is wwz_gz "$SOIL$WWZ_PATH" "" gzip
case_is static "$SOIL/static/big.txt"
case_is nginx "$NGINX/static/big.txt"
case_is nginx_gz "$NGINX_GZIP/static/big.txt" "" gzip
case_is page "$SOIL/static/page.html"
case_is nginx_page "$NGINX/static/page.html"
case_is page_gz "$SOIL/static/page.html" "" gzip
case_is nginx_page_gz "$NGINX_GZIP/static/page.html" "" gzip
case_is mwwz "$SOIL" "$WORK/random-wwz.lua"
case_is mwwz_gz "$SOIL" "$WORK/random-wwz.lua" gzip
case_is mstatic "$SOIL" "$WORK/random-static.lua"
case_is mnginx "$NGINX" "$WORK/random-static.lua"
case_is mnginx_gz "$NGINX_GZIP" "$WORK/random-static.lua" gzip
declare -A GROUP
GROUP[hot]="wwz wwz_gz static nginx nginx_gz"
GROUP[page]="page nginx_page page_gz nginx_page_gz"
GROUP[many]="mwwz mwwz_gz mstatic mnginx mnginx_gz"
GROUPS_RUN=${SERVE_BENCH_GROUPS:-hot page many}

run() { # NAME: one measured run of the case, added to its runs
  local name=$1 rps p99 cpu
  settle
  read -r rps p99 cpu < <(measure "${URL[$name]}" "${SCRIPT[$name]}" "${GZ[$name]}")
  RUNS[$name]="${RUNS[$name]:-} $rps"
  CPUS[$name]="${CPUS[$name]:-} $cpu"
  # The worse p99 of the runs (wrk prints us, ms or s).
  P99[$name]=$(printf '%s\n%s\n' "${P99[$name]:-0us}" "$p99" | awk '
    { v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      m = (u == "s") ? v * 1e6 : (u == "ms") ? v * 1e3 : v
      if (m >= best) { best = m; out = $1 } }
    END { print out }')
}
row() {
  [ -n "${RUNS[$1]:-}" ] || return 0
  printf '%-52s %12s %10s %9s   (%s)\n' "$2" "${RPS[$1]}" "${P99[$1]}" "${CPU[$1]}" "${RUNS[$1]# }"
}
ratio() { # LABEL A B TARGET
  [ -n "${RUNS[$2]:-}" ] && [ -n "${RUNS[$3]:-}" ] || return 0
  awk -v a="${RPS[$2]}" -v b="${RPS[$3]}" -v label="$1" -v target="$4" \
    'BEGIN {printf "%-52s %12.2f   (target %s)\n", label, a / b, target}'
}
cpu_ratio() { # LABEL A B: B's CPU per request over A's (above 1: A spends less per request)
  [ -n "${RUNS[$2]:-}" ] && [ -n "${RUNS[$3]:-}" ] || return 0
  awk -v a="${CPU[$2]}" -v b="${CPU[$3]}" -v label="$1" \
    'BEGIN {printf "%-52s %12.2f\n", label, b / a}'
}

# soil-server's JIT warm-up: every case of the run once, unmeasured (nginx needs none).
for group in $GROUPS_RUN; do
  for name in ${GROUP[$group]}; do
    case ${URL[$name]} in "$SOIL"*) measure "${URL[$name]}" "${SCRIPT[$name]}" "${GZ[$name]}" >/dev/null ;; esac
  done
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for group in $GROUPS_RUN; do
  order=(${GROUP[$group]})
  for name in "${order[@]}"; do run "$name"; done
  for ((i = ${#order[@]} - 1; i >= 0; i--)); do run "${order[i]}"; done
done
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }'; }
for name in "${!RUNS[@]}"; do
  RPS[$name]=$(echo "${RUNS[$name]}" | mean)
  CPU[$name]=$(echo "${CPUS[$name]}" | mean)
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(java -version 2>&1 | head -1), $(nginx -v 2>&1)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 30s, loopback; load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "each case twice (the group in order, then reversed), requests/s the mean, p99 the worse,"
echo "cpu us: the server's CPU time per request in microseconds (soil-server's JVM, nginx's processes), the mean"
echo "the 1 MiB log is $GZ_BYTES bytes as a gzip member (its deflated entry in the wwz)"
echo
printf '%-52s %12s %10s %9s   %s\n' "case" "requests/s" "p99" "cpu us" "(each run)"
echo "-- one 1 MiB log, the same URL each time"
row wwz "soil-server: wwz entry, plain client"
row wwz_gz "soil-server: wwz entry, gzip client"
row static "soil-server: static file"
row nginx "nginx: static file (sendfile, no gzip)"
row nginx_gz "nginx: static file, gzip on, gzip client"
echo "-- a 5 KiB page, the same URL each time"
row page "soil-server: static page"
row nginx_page "nginx: static page"
row page_gz "soil-server: static page, gzip client"
row nginx_page_gz "nginx: static page, gzip on, gzip client"
echo "-- $MANY different 1 MiB logs in random order"
row mwwz "soil-server: wwz entries, plain client"
row mwwz_gz "soil-server: wwz entries, gzip client"
row mstatic "soil-server: static files"
row mnginx "nginx: static files (sendfile, no gzip)"
row mnginx_gz "nginx: static files, gzip on, gzip client"
echo
ratio "cold wwz entries, gzip client / nginx static" mwwz_gz mnginx ">= 2"
ratio "cold wwz entries, gzip client / nginx gzip on" mwwz_gz mnginx_gz "-"
ratio "static 1 MiB file / nginx" static nginx ">= 0.9"
ratio "static 5 KiB page / nginx" page nginx_page ">= 0.9"
ratio "static 5 KiB page, gzip client / nginx gzip on" page_gz nginx_page_gz "-"
cpu_ratio "static 1 MiB file / nginx, by CPU per request" static nginx
cpu_ratio "static 5 KiB page / nginx, by CPU per request" page nginx_page
ratio "hot wwz entry, plain client / nginx static" wwz nginx ">= 1"
ratio "hot wwz entry, gzip client / nginx static" wwz_gz nginx ">= 1"
ratio "cold wwz entries, plain client / nginx static" mwwz mnginx "-"
ratio "cold static files / nginx" mstatic mnginx "-"
