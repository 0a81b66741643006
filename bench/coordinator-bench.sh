#!/bin/sh
# Coordinator benchmark (docs/BENCHMARKS.md, "Coordinator"): dispatch overhead per job at 1, 10
# and 100 queued jobs with one real agent, and queue throughput with 20 idle agents of trivial
# jobs. Needs the jars: soil-scripts/mvnw -pl server -am package -DskipTests. 127.0.0.1 only.
# AGENTS=20 JOBS=1000 SIZES=1,10,100 KEEP=1 (keep the temp folder) SERVER_JAR=… WORKER_JAR=… change it.
set -eu
cd "$(dirname "$0")/.."
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
exec python3 bench/coordinator/bench.py
