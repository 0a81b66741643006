#!/usr/bin/env bash
# The cost of checking every wwz entry's data at upload (size, CRC, inflatable): a job of 50 MiB of
# build and test logs in 200 files, deflated by `zip -r` as Soil does, checked by the server's own
# ResultStore.ingest (the same checks an upload gets), against reading the zip's central directory.
# Run from the project root after a build (`soil-scripts/mvnw -B -ntp -o -DskipTests -pl server -am verify`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs/_tmp/soil/logs" "$work/site/github-jobs/1"
python3 - "$work/logs/_tmp/soil/logs" <<'PY'
import random, sys
random.seed(17)
words = "compile link test PASS FAIL warning note error src/core/eval.cc osh bash dash ok".split()
for i in range(200):
    with open(f"{sys.argv[1]}/task-{i:03d}.txt", "w") as f:
        size = 0
        while size < 50 * 1024 * 1024 // 200:
            line = f"[{random.randint(0, 99999):05d}] " + " ".join(random.choice(words) for _ in range(8)) + f" {random.random():.6f}\n"
            f.write(line)
            size += len(line)
PY
(cd "$work/logs" && zip -q -r "$work/site/github-jobs/1/bench.wwz" _tmp)
printf '0\t1.0\tbuild\tbuild.sh\tall\t-\n' > "$work/site/github-jobs/1/bench.tsv"
printf '{\n  "job-name": "bench"\n}\n' > "$work/site/github-jobs/1/bench.json"
ls -l "$work/site/github-jobs/1/bench.wwz" | awk '{printf "wwz: %.1f MiB compressed, ", $5/1048576}'
du -sb "$work/logs/_tmp" | awk '{printf "%.1f MiB of logs\n", $1/1048576}'
# The classes as built (target/classes) and the few libraries ResultStore.ingest loads, from ~/.m2.
cp=server/target/classes:web-templates/target/classes
for lib in org/apache/commons/commons-compress/1.28.0 org/apache/commons/commons-csv/1.14.1 \
    commons-io/commons-io/2.22.0 org/apache/commons/commons-lang3/3.20.0 \
    com/fasterxml/jackson/core/jackson-core/2.21.8 org/slf4j/slf4j-api/2.0.18 \
    commons-codec/commons-codec/1.22.1; do
  cp=$cp:$(ls ~/.m2/repository/$lib/*.jar | grep -v sources | head -1)
done
java -cp "$cp" bench/wwz-check/WwzCheckBench.java "$work/site"
