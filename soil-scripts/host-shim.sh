#!/usr/bin/env bash
# Runs on the CI host, OUTSIDE the container: prepares the job's container image, records how
# long the pull took (Soil's image-pull-time.txt), then runs the job in it with soil-worker.
#
# Usage:
#   soil-scripts/host-shim.sh prepare-image RUNTIME IMAGE [CONTAINERFILE|ROOTFS.tar]
#       pull IMAGE (or build it from a Containerfile, or import a rootfs tarball when no
#       registry is reachable; a localhost/ image must already exist); writes
#       _tmp/soil/image-pull-time.txt (time -p format)
#   soil-scripts/host-shim.sh run-job RUNTIME IMAGE JOB TASKS [run-job options...]
#       builds the image first when SOIL_IMAGE_SOURCE names a Containerfile or rootfs tarball
#       (else run-job pulls it when missing and records the pull time), then runs the tasks
#       in it (TASKS: a task file, or 'cmd:COMMAND' whose output lists the tasks). Exit status = the job's (largest task
#       status). Secrets (SOIL_TOKEN) stay in this host process; the container never sees them.
#   soil-scripts/host-shim.sh mount-perms DIR
#       lets the container's user write to the bind-mounted checkout
set -o nounset -o pipefail -o errexit
. "$(dirname "$0")/lib.sh"

prepare-image() {
  local runtime=$1 image=$2 source=${3:-}
  mkdir -p _tmp/soil
  local timing=_tmp/soil/image-pull-time.txt
  local start end status=0
  start=$(date +%s.%N)
  if [ -z "$source" ] && [[ "$image" == localhost/* ]]; then
    # A local-only image (built or imported on this host) cannot be pulled; check it is there.
    "$runtime" image inspect "$image" > /dev/null || status=$?
  elif [ -z "$source" ]; then
    "$runtime" pull "$image" >&2 || status=$?
  elif [ -f "$source" ] && [[ "$source" == *.tar || "$source" == *.tar.gz ]]; then
    "$runtime" import "$source" "$image" >&2 || status=$?
  else
    "$runtime" build -f "$source" -t "$image" "$(dirname "$source")" >&2 || status=$?
  fi
  end=$(date +%s.%N)
  # The same text as `time -p` prints, which Soil's pages show.
  awk -v s="$start" -v e="$end" 'BEGIN { printf "real %.2f\nuser 0.00\nsys 0.00\n", e - s }' \
    > "$timing"
  if [ "$status" -ne 0 ]; then
    soil_die "cannot get image $image with $runtime (exit $status); check the name and the registry"
  fi
  "$runtime" images "$image" > _tmp/soil/images-tagged.txt 2>/dev/null || true
  "$runtime" history "$image" > _tmp/soil/image-layers.txt 2>/dev/null || true
  soil_log "image $image ready ($(head -1 "$timing"))"
}

mount-perms() {
  local dir=$1
  find "$dir" -type d -not -path '*/.git/*' -exec chmod a+rwx {} + 2>/dev/null || true
}

run-job() {
  local runtime=$1 image=$2 job=$3 tasks=$4
  shift 4
  # Images made on this host (SOIL_IMAGE_SOURCE: a Containerfile or a rootfs tarball) are built
  # first; otherwise run-job's provider pulls the image when missing and records the pull time
  # (image-pull-time in JOB.json), as Soil does.
  if [ -n "${SOIL_IMAGE_SOURCE:-}" ]; then
    prepare-image "$runtime" "$image" "$SOIL_IMAGE_SOURCE"
  fi
  local -a task_args
  if [[ "$tasks" == cmd:* ]]; then
    task_args=(--tasks-from "${tasks#cmd:}")
  else
    task_args=(--tasks "$tasks")
  fi
  soil_worker run-job "$job" "${task_args[@]}" --provider "$runtime" --image "$image" "$@"
}

case ${1:-} in
  prepare-image|mount-perms|run-job) "$@" ;;
  *) soil_usage "$0" ;;
esac
