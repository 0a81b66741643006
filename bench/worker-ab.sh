#!/usr/bin/env bash
# Two builds of the worker jar, A and B, through the same launcher (soil-scripts/soil-worker, its
# AppCDS archive made first for each), timed alternately in one run so that the machine's load
# falls on both alike (docs/BENCHMARKS.md "Worker start-up"): a `run-job` of one task `true`,
# local, JVM start to exit, N times each; wall time (median, min) and the CPU of the whole run
# (user + system of the JVM, the task, git and the supervisor; bash's time), and `sh -c true`.
# usage: bench/worker-ab.sh JAR_A JAR_B [N]      (N default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/worker-ab.sh JAR_A JAR_B [N]" >&2; exit 2; }
n=${3:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

co=$work/checkout
mkdir -p "$co" "$work/a" "$work/b"
git -C "$co" init -q
git -C "$co" -c user.name=bench -c user.email=bench@soilci.io commit -q --allow-empty -m bench
echo "one true - -" > "$work/one.txt"
cp "$1" "$work/a/soil-worker.jar"
cp "$2" "$work/b/soil-worker.jar"
run_job=(run-job one --tasks "$work/one.txt" --checkout "$co" --out "$work/out")

once() { # a|b|sh -> "wall user sys" of one run (bash's time: ms, waited-for children included)
  local TIMEFORMAT='%3R %3U %3S'
  if [ "$1" = sh ]; then
    { time sh -c true; } 2>&1
  else
    { time SOIL_WORKER_JAR=$work/$1/soil-worker.jar \
      "$root/soil-scripts/soil-worker" "${run_job[@]}" > /dev/null 2>&1; } 2>&1
  fi
}

# The launcher's first run writes the archive, the second puts it in place.
for side in a b; do once "$side" > /dev/null; once "$side" > /dev/null; done

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%FT%TZ), $n runs each, alternating"
: > "$work/a.txt"
: > "$work/b.txt"
: > "$work/sh.txt"
for i in $(seq 1 "$n"); do
  if [ $((i % 2)) = 1 ]; then first=a second=b; else first=b second=a; fi
  once "$first" >> "$work/$first.txt"
  once "$second" >> "$work/$second.txt"
  once sh >> "$work/sh.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }'; }
stats() { # FILE -> median and min wall, median and mean CPU (user + sys)
  printf 'wall median %s s  min %s s   CPU median %s s  mean %s s\n' \
    "$(awk '{ print $1 }' "$1" | median)" "$(awk '{ print $1 }' "$1" | sort -n | head -1)" \
    "$(awk '{ print $2 + $3 }' "$1" | median)" \
    "$(awk '{ s += $2 + $3 } END { printf "%.3f", s / NR }' "$1")"
}
printf '%-12s %s\n' "sh -c true" "$(stats "$work/sh.txt")"
printf '%-12s %s s\n' "target" \
  "$(awk '{ print $1 }' "$work/sh.txt" | median | awk '{ printf "%.3f", 2 * $1 + 0.3 }')"
printf '%-12s %s\n' "A: $1" ""
printf '%-12s %s\n' "" "$(stats "$work/a.txt")"
printf '%-12s %s\n' "B: $2" ""
printf '%-12s %s\n' "" "$(stats "$work/b.txt")"
