#!/usr/bin/env bash
# Called by a GitHub Actions workflow (see soil-scripts/examples/github/soil.yml).
#
# Usage:
#   soil-scripts/github-actions.sh run-job JOB TASKS [IMAGE]
#       runs the job (in a podman/docker container when IMAGE is given, else on the runner
#       VM), sends live events, publishes its three files and the done event with the status
#       API updated, and exits with the job's status (its largest task status).
#       TASKS: a task file, or 'cmd:COMMAND' whose output lists the tasks.
#   soil-scripts/github-actions.sh maybe-merge JOB,JOB,...
#       fast-forwards $SOIL_MERGE_BRANCH (default main) to $GITHUB_SHA when every job passed.
#
# Environment: SOIL_SERVER (the server's URL), SOIL_TOKEN (NAME:SECRET, a secret; needed only
# by the steps that publish), SOIL_RUNTIME (podman or docker, default podman), SOIL_GITHUB_STATUS
# (1: post a commit status soil/JOB per job, with GITHUB_TOKEN); GitHub's own
# GITHUB_RUN_NUMBER (the run folder), GITHUB_RUN_ID (the status API), GITHUB_SHA, and the PR
# variables the workflow sets: GITHUB_PR_NUMBER, GITHUB_PR_HEAD_REF, GITHUB_PR_HEAD_SHA.
set -o nounset -o pipefail -o errexit
. "$(dirname "$0")/lib.sh"

# Soil's job metadata: these variables end up in JOB.json (missing ones as null).
export-job-env() {
  : "${GITHUB_RUN_NUMBER:?not running under GitHub Actions (GITHUB_RUN_NUMBER unset)}"
  export JOB_URL="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
  local name
  # The workflow sets the PR variables on every event, empty on a push: an empty one is unset
  # so JOB.json records null (no "PR #" line on the pages), as Soil does for a missing variable.
  for name in GITHUB_WORKFLOW GITHUB_RUN_ID GITHUB_RUN_NUMBER GITHUB_JOB GITHUB_ACTION GITHUB_REF \
      GITHUB_PR_NUMBER GITHUB_PR_HEAD_REF GITHUB_PR_HEAD_SHA; do
    if [ -n "${!name:-}" ]; then export "${name?}"; else unset "$name"; fi
  done
}

server-args() {
  if [ -n "${SOIL_SERVER:-}" ]; then
    echo --server "$SOIL_SERVER" --worker-host github --run-id "$GITHUB_RUN_NUMBER" \
      --update-status-api ${SOIL_GITHUB_STATUS:+--github-status}
  else
    soil_log "SOIL_SERVER is not set: the job runs but nothing is published"
  fi
}

run-job() {
  local job=$1 tasks=$2 image=${3:-}
  export-job-env
  soil_need_worker
  local -a args
  read -r -a args <<< "$(server-args)"
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

maybe-merge() {
  local jobs=$1
  : "${SOIL_SERVER:?set SOIL_SERVER to the URL of the Soil server}"
  soil_need_worker
  local status=0
  soil_worker maybe-merge --server "$SOIL_SERVER" --run-id "${GITHUB_RUN_ID:?}" \
    --jobs "$jobs" --sha "${GITHUB_SHA:?}" --branch "${SOIL_MERGE_BRANCH:-main}" \
    ${SOIL_GITHUB_STATUS:+--github-status} || status=$?
  if [ "$status" -eq 3 ]; then
    # Not green: the failing job is already red on GitHub; this step only reports it.
    soil_log "not merged: not every job passed"
    return 0
  fi
  return "$status"
}

case ${1:-} in
  run-job|maybe-merge) "$@" ;;
  *) soil_usage "$0" ;;
esac
