#!/bin/bash
# Server start-up (docs/BENCHMARKS.md, "Server: start-up"): builds soil-server.jar, generates
# JOBS stored jobs (default 100,000: 5,000 runs of 20, bench/site/SiteBench.java generate), starts
# `soil-server serve` once (it reads every job, renders every page and writes the index snapshot),
# stops it (SIGTERM: the snapshot is written again), then times restarts from the JVM's launch to
# the first 200 of /healthz: with the snapshot, and without it (deleted: every job read), each
# with the page cache warm and, when this user may write /proc/sys/vm/drop_caches (root), cold.
# Each start is timed to the first 200 of /healthz (the server answers nothing before the index is
# loaded and the pages a start renders are written) and, after it, to the first 200 of the host
# index page and the status API's JSON of the newest run (both pages the server wrote).
# Each start is made twice where it counts: as `java -jar` and through soil-scripts/soil-server
# (the launcher: an AppCDS archive of the server's classes, written when its first run stops).
# Usage: bench/startup-bench.sh [JOBS]   (SOIL_SERVER_JAR=PATH: that jar, no build;
# SNAPSHOT_ONLY=1: no start without the snapshot, which at 100,000 jobs take minutes each;
# SITE_CACHE=DIR: the generated site and its state folder kept in DIR and used again by the next
# run with the same DIR and JOBS, which then skips the generation; its first start is then one
# from the snapshot, unless the jar writes another format or version of it)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-100000}
if [ -z "${SOIL_SERVER_JAR:-}" ]; then
  soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests -Dspotless.check.skip=true
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-startup-bench.XXXXXX")
# A copy: the launcher keeps its archive beside the jar, and server/target stays clean.
cp "${SOIL_SERVER_JAR:-$PWD/server/target/soil-server.jar}" "$work/soil-server.jar"
jar=$work/soil-server.jar
launcher=$PWD/soil-scripts/soil-server
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "startup-bench: $(date -u +%FT%TZ), $jobs jobs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
site=$work/site
state=$work/state
if [ -n "${SITE_CACHE:-}" ]; then
  mkdir -p "$SITE_CACHE"
  site=$SITE_CACHE/site-$jobs
  state=$SITE_CACHE/state-$jobs
  if [ -f "$SITE_CACHE/generated-$jobs" ]; then
    echo "the site of $jobs jobs generated before, in $SITE_CACHE"
  else
    rm -rf "$site" "$state"
    java -cp "$jar" bench/site/SiteBench.java generate "$site" "$jobs"
    touch "$SITE_CACHE/generated-$jobs"
  fi
else
  java -cp "$jar" bench/site/SiteBench.java generate "$site" "$jobs"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Starts the server (through the launcher when $how is "launcher"); $took: the seconds from launch
# to the first healthy answer.
took=
how=java
start() {
  local t0 t1
  t0=$(date +%s%N)
  if [ "$how" = launcher ]; then
    SOIL_SERVER_JAR=$jar SOIL_SERVER_JAVA_OPTS=-Xmx1g "$launcher" serve --site "$site" \
      --state "$state" --listen "127.0.0.1:$port" >> "$work/server.log" 2>&1 &
  else
    java -Xmx1g -jar "$jar" serve --site "$site" --state "$state" --listen "127.0.0.1:$port" \
      >> "$work/server.log" 2>&1 &
  fi
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log"; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/github-jobs/index.html"
  curl -sf -o /dev/null "http://127.0.0.1:$port/status-api/github/$((90000 + jobs / 20))/index.json" ||
    curl -sf -o /dev/null "http://127.0.0.1:$port/github-jobs/index.json"
  t2=$(date +%s%N)
  # The server's CPU time so far (user + system, clock ticks): less bent by other load than wall;
  # and its main thread's (the one named java that is not the launcher's first thread), the start's
  # critical path when other threads share the work: what a quiet machine's wall time follows.
  local ticks main_ticks=0 task
  ticks=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
  for task in /proc/"$server_pid"/task/*; do
    # (a thread may end meanwhile)
    if [ "$(cat "$task/comm" 2>/dev/null)" = java ] && [ "${task##*/}" != "$server_pid" ]; then
      main_ticks=$((main_ticks + $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0)))
    fi
  done
  # The index's part of the start (snapshot decoded, runs loaded beside it, folders checked), as
  # the server logs it: the threads that do it have ended by now.
  local index
  index=$(grep -o 'index loaded in [0-9]* ms' "$work/server.log" | tail -1 | tr -dc '0-9')
  took=$(awk -v a=$((t1 - t0)) -v b=$((t2 - t0)) -v c="$ticks" -v m="$main_ticks" -v i="${index:-0}" \
    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f s (healthz), %.2f s (two pages after it), CPU %.2f s, main thread %.2f s, index loaded in %.2f s", a / 1e9, b / 1e9, c / hz, m / hz, i / 1e3 }')
}
stop() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
cold() {
  sync
  if echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then return 0; fi
  return 1
}

# The floor: the JVM and the server on a site with no job.
empty=$work/empty
mkdir -p "$empty"
site_kept=$site
state_kept=$state
site=$empty
state=$work/empty-state
start
echo "empty site, first start: $took"
stop
start
echo "empty site, restart: $took"
stop
how=launcher
start
echo "empty site, soil-scripts/soil-server, first start (its stop writes the archive): $took"
stop
for i in 1 2 3; do
  start
  echo "empty site, soil-scripts/soil-server, restart $i (AppCDS): $took"
  stop
done
how=java
for i in 2 3; do
  start
  echo "empty site, restart $i: $took"
  stop
done
site=$site_kept
state=$state_kept
start
echo "first start (every job read, every page rendered; with SITE_CACHE, from its snapshot when usable): $took"
stop
echo "snapshot: $(stat -c %s "$state/index.snapshot") bytes"
for round in 1 2; do
  start
  echo "round $round: with the snapshot, warm: $took"
  stop
  how=launcher
  start
  echo "round $round: with the snapshot, warm, soil-scripts/soil-server: $took"
  stop
  how=java
  if cold; then
    start
    echo "round $round: with the snapshot, cold: $took"
    stop
    how=launcher
    cold
    start
    echo "round $round: with the snapshot, cold, soil-scripts/soil-server: $took"
    stop
    how=java
  else
    echo "round $round: cold not measured: /proc/sys/vm/drop_caches is not writable here"
  fi
  [ -z "${SNAPSHOT_ONLY:-}" ] || continue
  rm "$state/index.snapshot"
  start
  echo "round $round: without the snapshot (every job read), warm: $took"
  stop
  if cold; then
    rm "$state/index.snapshot"
    start
    echo "round $round: without the snapshot (every job read), cold: $took"
    stop
  fi
done
grep -E "index snapshot|reading the stored jobs" "$work/server.log" | tail -8
echo "startup-bench: done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
