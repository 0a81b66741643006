#!/bin/sh
# The site benchmark (docs/BENCHMARKS.md, "Server: site"): builds soil-server.jar, then for each
# history size (stored jobs, generated as real files under a temp folder) measures Site.open,
# a full rebuild of every page, and p50/p99 of applying one event and rewriting its pages.
# Usage: bench/site-bench.sh [SIZES...]   (default: 1000 10000 100000)
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 1000 10000 100000
soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests -Dspotless.check.skip=true
work=$(mktemp -d "${TMPDIR:-/tmp}/soil-site-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
java -Xmx2g -cp server/target/soil-server.jar -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  bench/site/SiteBench.java "$work" "$@"
