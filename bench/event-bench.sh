#!/bin/bash
# Events through HTTP (docs/BENCHMARKS.md, "Server: events through HTTP"): builds soil-server.jar;
# for each history size generates that many stored jobs (bench/site/SiteBench.java generate),
# starts `soil-server serve` on it and times start and done events, one after another
# (bench/site/EventBench.java). With SOIL_ORIGINAL set to a checkout of Soil's repository
# (oils-for-unix/oils; measured at commit 15de8fd779569e6e3a9f5fcbfc00e7df0ebe0380) and a Python 2
# (PYTHON2, else `python2` on PATH, e.g. PYENV_VERSION=2.7.18), it also times what the original
# Soil does for a done event, `soil/web.sh event-job-done github- RUN`, on a tree of the same
# 4,000 jobs, so both figures come from one run on one machine. Nothing of Soil is copied here.
# Usage: [SOIL_ORIGINAL=DIR] bench/event-bench.sh [SIZES...]   (default: 1000 4000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 1000 4000 100000
EVENTS=${EVENTS:-400}
WARMUP=${WARMUP:-200}
soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests -Dspotless.check.skip=true
jar=server/target/soil-server.jar
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-event-bench.XXXXXX")
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "event-bench: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

for jobs in "$@"; do
  site=$work/site-$jobs
  state=$work/state-$jobs
  java -cp "$jar" bench/site/SiteBench.java generate "$site" "$jobs"
  token=$(java -jar "$jar" add-worker bench --site "$site" --state "$state" \
    --scopes github-jobs,status-api 2>/dev/null)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The first start renders every page of the generated history; a restart is what is timed later.
  java -Xmx1g -jar "$jar" serve --site "$site" --state "$state" --listen "127.0.0.1:$port" \
    > "$work/server-$jobs.log" 2>&1 &
  server_pid=$!
  # Up to 20 minutes: at 100,000 jobs on a busy machine the first start took more than two.
  for _ in $(seq 1 6000); do
    curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
    kill -0 "$server_pid" 2> /dev/null || { cat "$work/server-$jobs.log"; exit 1; }
    sleep 0.2
  done
  printf '%7d jobs, soil-server: ' "$jobs"
  java -cp "$jar" bench/site/EventBench.java "http://127.0.0.1:$port/" "$token" "$server_pid" \
    $((100000 + jobs)) "$EVENTS" "$WARMUP"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  rm -rf "$site" "$state"
done

if [ -n "${SOIL_ORIGINAL:-}" ]; then
  py2=${PYTHON2:-$(command -v pyenv > /dev/null && pyenv which python2 2>/dev/null || command -v python2)}
  home=$work/soil-home
  # Where Soil's web.sh keeps the site on its server: ~/op.oilshell.org/uuu/github-jobs.
  mkdir -p "$home/bin" "$home/op.oilshell.org/uuu"
  ln -s "$py2" "$home/bin/python2"
  java -cp "$jar" bench/site/SiteBench.java generate "$home/op.oilshell.org/uuu" 4000
  run=$((1000 + 4000 / 20 - 1))
  # Wall, user and system seconds of each call (its bash, python2 and xargs processes).
  for i in $(seq 1 10); do
    HOME=$home /usr/bin/time -a -o "$work/soil-times" -f '%e %U %S' \
      bash "$SOIL_ORIGINAL/soil/web.sh" event-job-done github- "$run" > /dev/null 2>&1
  done
  wall=$(awk '{ print $1 * 1000 }' "$work/soil-times" | sort -n | sed -n 5p)
  cpu=$(awk '{ print ($2 + $3) * 1000 }' "$work/soil-times" | sort -n | sed -n 5p)
  echo "   4000 jobs, Soil web.sh event-job-done (web.py, Python $("$py2" -V 2>&1 | cut -d' ' -f2)):" \
    "median ${wall} ms, CPU ${cpu} ms (of 10 calls)"
fi
echo "event-bench: done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
