#!/usr/bin/env bash
# Worker start-up (issue 16, docs/BENCHMARKS.md "Worker start-up"): a `run-job` of one trivial
# task, local, JVM start to exit, against a bare `sh -c true`, all in one run; and where the time
# goes: the JVM alone (`java -version`), the jar's start (`--version`), and the same run-job with
# an AppCDS archive of the worker's classes and with C1 only; and through the launcher the CI
# scripts use (soil-scripts/soil-worker: its own archive, C1, serial GC), the first run (which
# writes the archive) timed once. Median of N (default 7) each.
# usage: bench/worker-startup.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-7}
jar=${SOIL_BENCH_JAR:-$root/worker/target/soil-worker.jar}  # SOIL_BENCH_JAR: another build to compare
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$jar" ] || (cd "$root" && soil-scripts/mvnw -B -ntp -q -pl worker -am package -DskipTests)

co=$work/checkout
mkdir -p "$co"
git -C "$co" init -q
git -C "$co" -c user.name=bench -c user.email=bench@soilci.io commit -q --allow-empty -m bench
echo "one true - -" > "$work/one.txt"
run_job=(run-job one --tasks "$work/one.txt" --checkout "$co" --out "$work/out")

median() { # COMMAND... -> median wall seconds of N runs
  local times=() t0 t1
  for _ in $(seq 1 "$n"); do
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    times+=("$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# The archive is made once by a run-job (what a CI cache would keep beside the jar).
java -XX:ArchiveClassesAtExit="$work/worker.jsa" -jar "$jar" "${run_job[@]}" >/dev/null 2>&1

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%FT%TZ), median of $n"
sh_true=$(median sh -c true)
target=$(awk "BEGIN { printf \"%.3f\", 2 * $sh_true + 0.3 }")
printf '%-52s %8s s\n' "sh -c true" "$sh_true"
printf '%-52s %8s s\n' "target: 2 x sh -c true + 0.3 s" "$target"
printf '%-52s %8s s\n' "java -version (the JVM alone)" "$(median java -version)"
printf '%-52s %8s s\n' "java -jar soil-worker.jar --version" "$(median java -jar "$jar" --version)"
printf '%-52s %8s s\n' "run-job, one task 'true', local" "$(median java -jar "$jar" "${run_job[@]}")"
printf '%-52s %8s s\n' "same, AppCDS archive (-XX:SharedArchiveFile)" \
  "$(median java -XX:SharedArchiveFile="$work/worker.jsa" -jar "$jar" "${run_job[@]}")"
printf '%-52s %8s s\n' "same, AppCDS + C1 only (-XX:TieredStopAtLevel=1)" \
  "$(median java -XX:SharedArchiveFile="$work/worker.jsa" -XX:TieredStopAtLevel=1 -jar "$jar" "${run_job[@]}")"
printf '%-52s %8s s\n' "same, C1 only, no archive" \
  "$(median java -XX:TieredStopAtLevel=1 -jar "$jar" "${run_job[@]}")"

# The launcher keeps its archive beside the jar: a copy of the jar, so worker/target stays clean.
cp "$jar" "$work/soil-worker.jar"
export SOIL_WORKER_JAR=$work/soil-worker.jar
t0=$(date +%s.%N)
"$root/soil-scripts/soil-worker" "${run_job[@]}" >/dev/null 2>&1
t1=$(date +%s.%N)
printf '%-52s %8s s\n' "soil-scripts/soil-worker, first run (writes archive)" \
  "$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")"
printf '%-52s %8s s\n' "soil-scripts/soil-worker run-job (launcher flags)" \
  "$(median "$root/soil-scripts/soil-worker" "${run_job[@]}")"
printf '%-52s %8s s\n' "soil-scripts/soil-worker --version" \
  "$(median "$root/soil-scripts/soil-worker" --version)"
