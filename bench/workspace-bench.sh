#!/usr/bin/env bash
# Job start on a workspace cache hit vs a cold prepare, for the local and podman providers.
#
# The workspace: one git repository (file:// remote made here) and a setup script that sleeps
# 10 s and writes 500 files. Per provider, three run-job --workspace runs of a one-task job:
#   cold   empty cache: clone, setup (>= 10 s), podman commit, instance copy
#   hit    same workspace again: fetch, reuse the clean instance
#   moved  after a new commit is pushed: fetch + checkout in the cache, new instance copy
# The figure is the job's own "workspace-prepare-time" (JOB.json): from run-job asking for its
# workspace until the instance is ready for the first task. Pass: hit <= 10% of cold.
#
#   bench/workspace-bench.sh            # both providers
#   PROVIDERS=local bench/workspace-bench.sh
#   JAVA_OPTS=-XX:TieredStopAtLevel=1 bench/workspace-bench.sh   # JVM options for each job
# Bounded: 3 jobs per provider, each under a minute; everything is made in a temp folder and removed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. soil-scripts/test-env.sh
providers=${PROVIDERS:-local podman}
jar=${SOIL_WORKER_JAR:-worker/target/soil-worker.jar}
if [ ! -f "$jar" ]; then
  echo "bench: building $jar" >&2
  soil-scripts/mvnw -B -ntp -q -pl worker -am package -DskipTests -Dspotless.check.skip
fi

work=$(mktemp -d)
cleanup() {
  for p in $providers; do
    timeout 60 java -jar "$root/$jar" workspace remove "$work/ws.json" --provider "$p" \
      --workspace-root "$work/cache-$p" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

git init -q --bare -b main "$work/origin.git"
git init -q -b main "$work/author"
mkdir -p "$work/author/test"
printf '#!/bin/sh\nls deps | wc -l\n' > "$work/author/test/count.sh"
chmod +x "$work/author/test/count.sh"
commit() {
  git -C "$work/author" add -A
  git -C "$work/author" -c user.name=bench -c user.email=bench@example.org commit -q -m "$1"
  git -C "$work/author" push -q "$work/origin.git" main
}
commit first
echo 'count test/count.sh all -' > "$work/tasks.txt"
cat > "$work/ws.json" <<JSON
{"name": "bench",
 "repositories": [{"url": "file://$work/origin.git", "path": ".", "ref": "main"}],
 "setup_script": "sleep 10; mkdir -p deps; i=0; while [ \$i -lt 500 ]; do echo \$i > deps/f\$i; i=\$((i+1)); done",
 "image": "${SOIL_TEST_IMAGE:-localhost/soil-test-busybox:latest}"}
JSON

prepare_time() { sed -n 's/.*"workspace-prepare-time": "\([0-9.]*\)".*/\1/p' "$1"; }
cache_state() { sed -n 's/.*"workspace-cache": "\([a-z]*\)".*/\1/p' "$1"; }

run_job() { # provider label
  local out="$work/out-$1-$2"
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  timeout 120 java ${JAVA_OPTS:-} -jar "$jar" run-job demo --workspace "$work/ws.json" --provider "$1" \
    --workspace-root "$work/cache-$1" --tasks "$work/tasks.txt" --out "$out" \
    --worker-host none >/dev/null 2>"$work/err-$1-$2" || { cat "$work/err-$1-$2" >&2; exit 1; }
  echo "$(prepare_time "$out/demo.json") $(cache_state "$out/demo.json")"
}

status=0
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS=${JAVA_OPTS:-}"
printf '%-8s %-16s %-16s %-16s %s\n' provider cold hit moved hit/cold
for p in $providers; do
  read -r cold cold_state <<<"$(run_job "$p" cold)"
  read -r hit hit_state <<<"$(run_job "$p" hit)"
  echo "$p" > "$work/author/NEWS"; commit "news for $p"
  read -r moved moved_state <<<"$(run_job "$p" moved)"
  ratio=$(awk -v h="$hit" -v c="$cold" 'BEGIN { printf "%.1f%%", 100 * h / c }')
  verdict=$(awk -v h="$hit" -v c="$cold" 'BEGIN { print (h <= 0.10 * c) ? "PASS" : "FAIL" }')
  printf '%-8s %-16s %-16s %-16s %s %s\n' "$p" "${cold}s ($cold_state)" "${hit}s ($hit_state)" \
    "${moved}s ($moved_state)" "$ratio" "$verdict"
  [ "$verdict" = PASS ] && [ "$cold_state" = miss ] && [ "$hit_state" = hit ] \
    && [ "$moved_state" = hit ] || status=1
done
exit $status
