#!/usr/bin/env bash
# Called by a sourcehut build manifest (see soil-scripts/examples/sourcehut/*.yml).
#
# Usage:
#   soil-scripts/sourcehut.sh run-job JOB TASKS [IMAGE]
#       runs the job (in a podman container when IMAGE is given, else on the build VM), sends
#       live events, publishes its three files and the done event, and exits with the job's
#       status. TASKS: a task file, or 'cmd:COMMAND' whose output lists the tasks.
#
# Environment: SOIL_SERVER (the server's URL); the worker token NAME:SECRET in the file
# SOIL_TOKEN_FILE (default ~/.soil-token: a sourcehut file secret), or in SOIL_TOKEN.
# sourcehut's own JOB_ID (the run folder, as in Soil) and JOB_URL go into the job's metadata.
set -o nounset -o pipefail -o errexit
. "$(dirname "$0")/lib.sh"

run-job() {
  local job=$1 tasks=$2 image=${3:-}
  : "${JOB_ID:?not running under sourcehut builds (JOB_ID unset)}"
  export JOB_ID JOB_URL=${JOB_URL:-https://builds.sr.ht/}
  soil_need_worker
  local -a args=()
  if [ -n "${SOIL_SERVER:-}" ]; then
    args=(--server "$SOIL_SERVER" --worker-host sourcehut --run-id "$JOB_ID")
    local token_file=${SOIL_TOKEN_FILE:-$HOME/.soil-token}
    if [ -z "${SOIL_TOKEN:-}" ] && [ -f "$token_file" ]; then
      args+=(--token-file "$token_file")
    fi
  else
    soil_log "SOIL_SERVER is not set: the job runs but nothing is published"
  fi
  local status=0
  if [ -n "$image" ]; then
    "$(dirname "$0")/host-shim.sh" run-job "${SOIL_RUNTIME:-podman}" "$image" "$job" "$tasks" \
      "${args[@]}" || status=$?
  elif [[ "$tasks" == cmd:* ]]; then
    soil_worker run-job "$job" --tasks-from "${tasks#cmd:}" --provider local "${args[@]}" \
      || status=$?
  else
    soil_worker run-job "$job" --tasks "$tasks" --provider local "${args[@]}" || status=$?
  fi
  soil_log "job $job finished with status $status"
  return "$status"
}

case ${1:-} in
  run-job) "$@" ;;
  *) soil_usage "$0" ;;
esac
