#!/usr/bin/env bash
# The worker's benchmarks (docs/BENCHMARKS.md, "## Worker"). Bounded: a few minutes.
#   1. per-task overhead of run-job over 200 trivial tasks (`true`), local and in a podman
#      container, against a bare `sh -c true` loop measured in the same run;
#   2. packaging 500 MB of realistic logs (many files) into the wwz with -Xmx64m, against
#      `zip -r -q` on the same files.
# usage: bench/worker-bench.sh [TASKS=200] [LOG_MB=500]
# Needs podman (run `. soil-scripts/test-env.sh` first on a sandboxed machine), zip, python3,
# awk and /usr/bin/time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tasks=${1:-200}
log_mb=${2:-500}
image=${SOIL_TEST_IMAGE:-localhost/soil-test-busybox:latest}
jar=$root/worker/target/soil-worker.jar
data=${SOIL_BENCH_DATA:-/tmp/soil-bench-data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$jar" ] || (cd "$root" && soil-scripts/mvnw -B -ntp -q -pl worker -am package -DskipTests)
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
seconds() { calc "$2 - $1"; }
ms() { printf '%.2f' "$(calc "$1 * 1000")"; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), podman $(podman --version | awk '{print $3}')"
echo "date: $(date -u +%FT%TZ)"

# --- 1. per-task overhead ------------------------------------------------------------------
co=$work/checkout
mkdir -p "$co"
git -C "$co" init -q
git -C "$co" -c user.name=bench -c user.email=bench@soilci.io commit -q --allow-empty -m bench
for i in $(seq 1 "$tasks"); do echo "t$i true x -"; done > "$work/many.txt"
echo "t1 true x -" > "$work/one.txt"

run_job() { # JOB TASKFILE [ARGS...] -> wall seconds
  local job=$1 list=$2; shift 2
  local t0 t1
  t0=$(now)
  java -jar "$jar" run-job "$job" --checkout "$co" --tasks "$list" "$@" >/dev/null
  t1=$(now)
  seconds "$t0" "$t1"
}
bare_loop() {
  local t0 t1 i=0
  t0=$(now); while [ $i -lt "$tasks" ]; do sh -c true; i=$((i+1)); done; t1=$(now)
  seconds "$t0" "$t1"
}
recorded() { # JOB -> mean task elapsed in seconds, as the worker recorded it in JOB.tsv
  awk '{ s += $2 } END { printf "%.6f", s / NR }' "$co/_tmp/soil/out/$1.tsv"
}
# The machine is shared: each figure is the best of $rounds runs, the sides interleaved.
rounds=3
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
container_start_stop() { # the container the podman provider starts, alone: start, then stop
  local t0 t1
  t0=$(now)
  echo | podman run --rm -i --network=none --entrypoint /bin/sh "$image" -c 'read x' >/dev/null
  t1=$(now)
  seconds "$t0" "$t1"
}
bare_all=; local_one=; local_many=; podman_one=; podman_many=; local_rec=; podman_rec=
container=; start_diffs=
for _ in $(seq $rounds); do
  bare_all=$(min "$(bare_loop)" "$bare_all")
  one=$(run_job one-local "$work/one.txt")
  local_one=$(min "$one" "$local_one")
  local_many=$(min "$(run_job many-local "$work/many.txt")" "$local_many")
  local_rec=$(min "$(recorded many-local)" "$local_rec")
  one_podman=$(run_job one-podman "$work/one.txt" --provider podman --image "$image")
  podman_one=$(min "$one_podman" "$podman_one")
  start_diffs="$start_diffs $(calc "$one_podman - $one")"
  podman_many=$(min "$(run_job many-podman "$work/many.txt" --provider podman --image "$image")" "$podman_many")
  podman_rec=$(min "$(recorded many-podman)" "$podman_rec")
  container=$(min "$(container_start_stop)" "$container")
done
# The job's container cost as run-job sees it: a 1-task podman job minus the 1-task local job of
# the same round, the median of the rounds (noisy under load; the direct figure is steadier).
podman_start=$(echo $start_diffs | tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
bare=$(calc "$bare_all / $tasks")

# Two views of a task's cost. Recorded: each task's elapsed in JOB.tsv, from sending it to the
# supervisor to reading its status (robust to load). Marginal: the wall time of N tasks minus
# that of one, over N-1 (JVM start, git, packaging, the container's start and stop cancel out;
# it also counts log files and INDEX.tsv, but is noisy on a loaded machine).
local_task=$(calc "($local_many - $local_one) / ($tasks - 1)")
podman_task=$(calc "($podman_many - $podman_one) / ($tasks - 1)")

echo
echo "## per-task overhead, $tasks tasks of 'true' (best of $rounds)"
row() { printf '%-58s %10s\n' "$1" "$2"; }
row "bare 'sh -c true' loop, per task" "$(ms "$bare") ms"
row "local: per task, recorded in JOB.tsv" "$(ms "$local_rec") ms"
row "local: per task, marginal wall" "$(ms "$local_task") ms"
row "local: overhead above the bare loop (recorded / marginal)" \
  "$(ms "$(calc "$local_rec - $bare")") / $(ms "$(calc "$local_task - $bare")") ms"
row "podman: per task, recorded in JOB.tsv" "$(ms "$podman_rec") ms"
row "podman: per task, marginal wall" "$(ms "$podman_task") ms"
row "podman: container start+stop, run-job 1 task minus local" "$(ms "$podman_start") ms"
row "podman: container start+stop, 'podman run --rm -i' alone" "$(ms "$container") ms"
# All told charges the job's container cost as run-job paid it (the larger, noisier figure).
row "podman: per task all told, start amortized (recorded)" \
  "$(ms "$(calc "$podman_rec + $podman_start / $tasks")") ms"
row "podman: per task all told, start amortized (marginal)" \
  "$(ms "$(calc "$podman_task + $podman_start / $tasks")") ms"
row "whole run-job wall, local: 1 task / $tasks tasks" "$(printf '%.2f / %.2f s' "$local_one" "$local_many")"
row "whole run-job wall, podman: 1 task / $tasks tasks" "$(printf '%.2f / %.2f s' "$podman_one" "$podman_many")"

# --- 2. packaging ------------------------------------------------------------------------------
logs=$data/_tmp/bench/logs
if [ ! -f "$data/.complete-$log_mb" ]; then
  echo; echo "writing $log_mb MB of logs to $data (once; reused by later runs)"
  rm -rf "$data"; mkdir -p "$logs"
  python3 "$root/bench/worker-logs.py" "$logs" "$log_mb" 500
  git -C "$data" init -q
  git -C "$data" -c user.name=bench -c user.email=bench@soilci.io commit -q --allow-empty -m bench
  touch "$data/.complete-$log_mb"
fi
echo '<h1>bench</h1>' > "$data/_tmp/bench/index.html"
echo "pack true x _tmp/bench/index.html" > "$work/pack.txt"
input_bytes=$(du -sb "$data/_tmp/bench" | cut -f1)
sync

pack() { # LEVEL -> the worker's packaging seconds; keeps its output in $work/pack-LEVEL.*
  /usr/bin/time -f '%M %U %S' -o "$work/rss-$1" java -Xmx64m -Xlog:gc:file="$work/gc-$1.log" \
    -jar "$jar" run-job pack --checkout "$data" --tasks "$work/pack.txt" --out "$work/out-$1" \
    --zip-level "$1" > "$work/pack-$1.out"
  grep '^packaged' "$work/pack-$1.out" | sed -E 's/.* in ([0-9.]+) s$/\1/'
}
zip_s=; soil_s=; same_s=
for _ in 1 2; do
  rm -f "$work/zip.zip"; t0=$(now)
  (cd "$data" && /usr/bin/time -f '%U %S' -o "$work/zip-cpu" zip -r -q "$work/zip.zip" _tmp/bench)
  t1=$(now)
  zip_s=$(min "$(seconds "$t0" "$t1")" "$zip_s")
  soil_s=$(min "$(pack 5)" "$soil_s")
  same_s=$(min "$(pack 6)" "$same_s")
done
rss_kb=$(tail -1 "$work/rss-5" | cut -d' ' -f1)
# CPU seconds (user+sys) of the last run of each: what the work costs whatever the load.
zip_cpu=$(tail -1 "$work/zip-cpu" | awk '{ print $1 + $2 }')
soil_cpu=$(tail -1 "$work/rss-5" | awk '{ print $2 + $3 }')
same_cpu=$(tail -1 "$work/rss-6" | awk '{ print $2 + $3 }')
heap_peak=$(grep -hoE '[0-9]+M->[0-9]+M' "$work"/gc-*.log | cut -dM -f1 | sort -n | tail -1)

mb() { calc "$1 / 1048576"; }
echo
echo "## packaging $(printf '%.0f' "$(mb "$input_bytes")") MiB of logs in $(find "$data/_tmp/bench" -type f | wc -l) files"
printf '%-44s %8.2f s %8.1f MiB/s %8.1f MiB\n' "zip -r -q" "$zip_s" \
  "$(calc "$(mb "$input_bytes") / $zip_s")" "$(mb "$(stat -c %s "$work/zip.zip")")"
printf '%-44s %8.2f s %8.1f MiB/s %8.1f MiB\n' "run-job packaging, default level 5" "$soil_s" \
  "$(calc "$(mb "$input_bytes") / $soil_s")" "$(mb "$(stat -c %s "$work/out-5/pack.wwz")")"
printf '%-44s %8.2f s %8.1f MiB/s %8.1f MiB\n' "run-job packaging, --zip-level 6 (as zip)" "$same_s" \
  "$(calc "$(mb "$input_bytes") / $same_s")" "$(mb "$(stat -c %s "$work/out-6/pack.wwz")")"
printf '%-44s %8.2fx\n' "speed-up over zip -r -q, default level 5" "$(calc "$zip_s / $soil_s")"
printf '%-44s %8.2fx\n' "speed-up over zip -r -q, level 6" "$(calc "$zip_s / $same_s")"
printf '%-44s %8.2f s\n' "CPU time, zip -r -q (user+sys)" "$zip_cpu"
printf '%-44s %8.2f s\n' "CPU time, worker level 5 (whole JVM)" "$soil_cpu"
printf '%-44s %8.2f s\n' "CPU time, worker level 6 (whole JVM)" "$same_cpu"
printf '%-44s %8d MiB\n' "worker peak RSS (whole JVM, -Xmx64m)" "$((rss_kb / 1024))"
printf '%-44s %8s MiB (-Xmx64m)\n' "worker peak heap in use (GC log, before GC)" "${heap_peak:-?}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
