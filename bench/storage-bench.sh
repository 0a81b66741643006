#!/bin/sh
# The storage benchmark (docs/BENCHMARKS.md, "Storage"): per-unit costs of a job's files in the
# bucket against the local folder (PUT of a job's three files, GET of its wwz, 4 KiB ranged
# reads), with s3proxy (filesystem backend) as a separate process on 127.0.0.1, 1 and 4 threads.
# Builds the server and its test classes (which hold testing.S3ProxyProcess); Maven fetches
# s3proxy's jar in pre-integration-test.
# Usage: bench/storage-bench.sh [JOBS [WWZ_KIB]]   (default: 200 jobs, 1024 KiB wwz)
set -eu
cd "$(dirname "$0")/.."
soil-scripts/mvnw -B -ntp -q -pl server -am verify -DskipTests -Dsoil.fuzz.skip=true \
  -Dspotless.check.skip=true
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-storage-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd server
java -Xmx1g -cp target/soil-server.jar:target/test-classes \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  ../bench/storage/StorageBench.java "$work" "${1:-200}" "${2:-1024}"
