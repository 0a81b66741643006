#!/bin/sh
# The test history benchmark (docs/BENCHMARKS.md, "Test history and since-green"): heap a kept test
# result costs, and the render time of the "since the last green run" page of a run of JOBS jobs
# over RUNS kept runs (real files under a temp folder, read by Site.open).
# Usage: bench/test-history-bench.sh [RUNS JOBS TESTS]   (default: 500 30 200)
set -eu
cd "$(dirname "$0")/.."
soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests -Dspotless.check.skip=true
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-test-history-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The bench class is in the server's package (it reads the index's types), compiled with the tests.
java -Xmx2g -XX:+UseSerialGC -cp server/target/soil-server.jar:server/target/test-classes \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  io.soilci.server.site.TestHistoryBench "$work" "$@"
