#!/usr/bin/env bash
# Soil in one command: builds the jars if needed, starts a server on 127.0.0.1 with a site
# under _tmp/quickstart/ (created the first time, kept and added to after), creates a worker
# token once, runs a demo job of a few real tasks (one fails on purpose) through the worker as
# the next run, publishes it, and prints the URLs to open. Serves until Ctrl-C.
#
# Usage: soil-scripts/quickstart.sh [--no-wait] [--port N]
#   --no-wait   stop the server and exit once the job is published (for scripts and tests)
#   --port N    listen on N (default: 8080 if free, else the next free port)
# Needs only Java 17+ and Maven.
set -o nounset -o pipefail -o errexit
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
. "$(dirname "$script")/lib.sh"
cd "$SOIL_ROOT"

wait_for_ctrl_c=1
port=
while [ $# -gt 0 ]; do
  case $1 in
    --no-wait) wait_for_ctrl_c= ;;
    --port) port=${2:?--port needs a number}; shift ;;
    -h|--help) (soil_usage "$script") 2>&1 || true; exit 0 ;;
    *) echo "quickstart: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v java >/dev/null || soil_die "java is not installed: install a JDK 17 or newer"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for p in 8080 $(seq 8081 8180); do
    port_in_use "$p" || { echo "$p"; return; }
  done
  soil_die "no free port in 8080-8180; pass --port N"
}

server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    soil_log "server stopped"
  fi
  server_pid=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

soil_build_if_needed

# An earlier run's site is kept: this run is added to it (delete the folder to start afresh).
work=${SOIL_QUICKSTART_DIR:-$SOIL_ROOT/_tmp/quickstart}
mkdir -p "$work/state"
port=${port:-$(pick_port)}
url="http://127.0.0.1:$port/"

# A worker token, made once and kept in a file only this user can read (never on a command line).
if [ ! -s "$work/token" ]; then
  (umask 077 && java -jar "$SOIL_SERVER_JAR" add-worker quickstart --site "$work/site" \
    --state "$work/state" --scopes github-jobs,sourcehut-jobs,status-api > "$work/token.new" \
    2> "$work/add-worker.log") || soil_die "add-worker failed: $(tail -1 "$work/add-worker.log")"
  mv "$work/token.new" "$work/token"
fi

# --init: the first time, the site folder is created empty. Through the launcher: an AppCDS
# archive of the server's classes, written when its first run stops, makes later starts faster.
SOIL_SERVER_JAR=$SOIL_SERVER_JAR soil-scripts/soil-server serve --init --site "$work/site" \
  --state "$work/state" --listen "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  port_in_use "$port" && break
  kill -0 "$server_pid" 2>/dev/null || soil_die "the server did not start: $(tail -3 "$work/server.log")"
  sleep 0.2
done
port_in_use "$port" || soil_die "the server did not listen on $port within 20 s (see $work/server.log)"
soil_log "server on $url (log: $work/server.log)"

# The demo job runs in its own checkout folder, as on a CI host, made afresh each time.
rm -rf "$work/checkout"
mkdir -p "$work/checkout/soil-scripts"
cp -r "$SOIL_ROOT/soil-scripts/demo" "$work/checkout/soil-scripts/demo"
# The next run number: one more than the largest run already in the site.
last=$( (ls "$work/site/github-jobs" 2>/dev/null || true) | grep -xE '[0-9]+' | sort -n | tail -1 \
  || true)
run=$(( ${last:-0} + 1 ))
job=demo
status=0
(cd "$work/checkout" && GITHUB_RUN_NUMBER=$run GITHUB_RUN_ID=1000$run \
  java -jar "$SOIL_WORKER_JAR" run-job "$job" --tasks soil-scripts/demo/tasks.txt \
    --provider local --server "$url" --token-file "$work/token" --worker-host github \
    --run-id "$run" --update-status-api) || status=$?
soil_log "demo job finished with status $status (the 'lint' task fails on purpose)"

cat <<EOT

Soil is running. Open:
  home page         ${url}
  GitHub jobs       ${url}github-jobs/
  the demo run      ${url}github-jobs/$run/
  the job's logs    ${url}github-jobs/$run/$job.wwz/
  status API        ${url}status-api/github/1000$run/$job.status.txt

Publish more: SOIL_TOKEN=\$(cat $work/token) java -jar $SOIL_WORKER_JAR publish --server $url DIR/JOB
EOT

if [ -n "$wait_for_ctrl_c" ]; then
  echo "Serving until Ctrl-C."
  wait "$server_pid" || true
fi
