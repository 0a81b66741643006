#!/usr/bin/env bash
# Tasks in parallel (issue 14, docs/BENCHMARKS.md "Tasks in parallel"): one 40-task job with a
# dependency graph shaped like a real CI job, run by `run-job` (local provider) one task at a time
# and with --parallel 2 (and 4), in one run. The tasks sleep (a fixed wall time each, little CPU),
# so the figures show the scheduling, not two cores fighting over compilers.
#   setup (0.2 s) -> 4 builds (0.6 s each) -> 28 tests (0.1-0.4 s, 7 per build)
#   4 lints (0.1 s, need nothing), 1 package (needs the 4 builds, 0.3 s),
#   1 report (needs every test, 0.2 s), 1 docs (needs setup, 0.3 s): 40 tasks, 10.8 s of sleep.
# usage: bench/parallel-bench.sh [RUNS]   (default 2 runs of each)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-2}
jar=$root/worker/target/soil-worker.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$jar" ] || (cd "$root" && soil-scripts/mvnw -B -ntp -q -pl worker -am package -DskipTests)

co=$work/checkout
mkdir -p "$co/t"
git -C "$co" init -q
git -C "$co" -c user.name=bench -c user.email=bench@soilci.io commit -q --allow-empty -m bench
printf '#!/bin/sh\necho "$0 $1"; sleep "$1"\n' > "$co/t/sleep.sh"
chmod +x "$co/t/sleep.sh"

tasks=$work/tasks.txt
{
  echo "setup t/sleep.sh 0.2 -"
  for l in 1 2 3 4; do echo "lint$l t/sleep.sh 0.1 -"; done
  for b in 1 2 3 4; do
    echo "# needs: setup"
    echo "build$b t/sleep.sh 0.6 -"
  done
  echo "# needs: setup"
  echo "docs t/sleep.sh 0.3 -"
  all_tests=""
  for b in 1 2 3 4; do
    for t in 1 2 3 4 5 6 7; do
      secs=$(awk "BEGIN { printf \"%.1f\", 0.1 * (1 + ($t + $b) % 4) }")
      echo "# needs: build$b"
      echo "test$b-$t t/sleep.sh $secs -"
      all_tests="$all_tests test$b-$t"
    done
  done
  echo "# needs: build1 build2 build3 build4"
  echo "package t/sleep.sh 0.3 -"
  echo "# needs:$all_tests"
  echo "report t/sleep.sh 0.2 -"
} > "$tasks"
count=$(grep -vc '^#' "$tasks")
sleep_total=$(grep -v '^#' "$tasks" | awk '{ s += $3 } END { printf "%.1f", s }')

wall() { # ARGS... -> wall seconds of one run-job
  local t0 t1
  t0=$(date +%s.%N)
  java -jar "$jar" run-job bench --tasks "$tasks" --checkout "$co" --out "$work/out" "$@" \
    >"$work/last.txt" 2>&1 || { cat "$work/last.txt"; exit 1; }
  t1=$(date +%s.%N)
  awk "BEGIN { printf \"%.2f\", $t1 - $t0 }"
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%FT%TZ); $count tasks, ${sleep_total} s of sleep in all"
for r in $(seq 1 "$runs"); do
  serial=$(wall)
  p2=$(wall --parallel 2)
  p4=$(wall --parallel 4)
  printf 'run %d: serial %6s s   --parallel 2 %6s s (%.2fx)   --parallel 4 %6s s (%.2fx)\n' \
    "$r" "$serial" "$p2" "$(awk "BEGIN { print $serial / $p2 }")" \
    "$p4" "$(awk "BEGIN { print $serial / $p4 }")"
done
