#!/usr/bin/env bash
# Two builds of the server jar, A and B, started alternately in one run through the same launcher
# (soil-scripts/soil-server, each with its own AppCDS archive made first) from the same site and
# index snapshot, so that the machine's load falls on both alike (docs/BENCHMARKS.md "Server:
# start-up"): N rounds of a warm start and, when /proc/sys/vm/drop_caches is writable (root), a
# cold one, each timed from launch to the first 200 of /healthz, with the process's CPU (user +
# system from /proc/PID/stat at that moment) and the index's load as the server logs it.
# The site and a state folder holding its snapshot come from bench/startup-bench.sh's SITE_CACHE
# (SITE_CACHE=DIR bench/startup-bench.sh JOBS made them); each side starts from a copy of that state.
# usage: bench/startup-ab.sh SITE_CACHE JOBS JAR_A JAR_B [N]      (N default 5)
# LAUNCHER_A=PATH / LAUNCHER_B=PATH: that side starts through another copy of the launcher (e.g. an
# older checkout's soil-scripts/soil-server, to compare its JVM flags); default this checkout's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 4 ] || { echo "usage: bench/startup-ab.sh SITE_CACHE JOBS JAR_A JAR_B [N]" >&2; exit 2; }
cache=$1
jobs=$2
n=${5:-5}
site=$cache/site-$jobs
[ -f "$cache/state-$jobs/index.snapshot" ] || {
  echo "startup-ab: no $cache/state-$jobs/index.snapshot; run SITE_CACHE=$cache bench/startup-bench.sh $jobs first" >&2
  exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-startup-ab.XXXXXX")
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for side in a b; do
  mkdir -p "$work/$side"
  cp -a "$cache/state-$jobs" "$work/$side/state"
done
cp "$3" "$work/a/soil-server.jar"
cp "$4" "$work/b/soil-server.jar"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
hz=$(getconf CLK_TCK)

once() { # a|b -> "wall cpu index" (seconds) of one start, then stops it
  local t0 t1 ticks index log=$work/$1/server.log
  t0=$(date +%s%N)
  local launcher=$root/soil-scripts/soil-server
  if [ "$1" = a ]; then launcher=${LAUNCHER_A:-$launcher}; else launcher=${LAUNCHER_B:-$launcher}; fi
  SOIL_SERVER_JAR=$work/$1/soil-server.jar SOIL_SERVER_JAVA_OPTS=-Xmx1g "$launcher" \
    serve --site "$site" --state "$work/$1/state" --listen "127.0.0.1:$port" >> "$log" 2>&1 &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  ticks=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  index=$(grep -o 'index loaded in [0-9]* ms' "$log" | tail -1 | tr -dc '0-9')
  awk -v w=$((t1 - t0)) -v c="$ticks" -v i="${index:-0}" -v hz="$hz" \
    'BEGIN { printf "%.3f %.3f %.3f\n", w / 1e9, c / hz, i / 1e3 }'
}
cold() { sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; }

# The launcher's first run writes the archive, the second puts it in place.
for side in a b; do once "$side" > /dev/null; once "$side" > /dev/null; done
can_cold=yes
cold || can_cold=
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%FT%TZ), $jobs jobs, $n rounds, alternating; A: $3, B: $4"
echo "launchers: A ${LAUNCHER_A:-$root/soil-scripts/soil-server}, B ${LAUNCHER_B:-$root/soil-scripts/soil-server}"
for i in $(seq 1 "$n"); do
  if [ $((i % 2)) = 1 ]; then order="a b"; else order="b a"; fi
  for side in $order; do once "$side" >> "$work/$side-warm.txt"; done
  if [ -n "$can_cold" ]; then
    for side in $order; do cold; once "$side" >> "$work/$side-cold.txt"; done
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }'; }
for kind in warm cold; do
  [ -f "$work/a-$kind.txt" ] || continue
  for side in a b; do
    f=$work/$side-$kind.txt
    printf '%s %s: healthz median %s s (min %s)  CPU median %s s  index loaded median %s s   each: %s\n' \
      "$(echo "$side" | tr ab AB)" "$kind" "$(awk '{ print $1 }' "$f" | median)" \
      "$(awk '{ print $1 }' "$f" | sort -n | head -1)" "$(awk '{ print $2 }' "$f" | median)" \
      "$(awk '{ print $3 }' "$f" | median)" "$(awk '{ printf "%s/%s ", $1, $2 }' "$f")"
  done
done
