#!/usr/bin/env bash
# Makes the versioned release artifact: target/release/soil-VERSION/ with soil-worker-VERSION.jar,
# soil-server-VERSION.jar and SHA256SUMS (sha256sum's format: 'sha256sum -c SHA256SUMS' checks
# them). Attach the three files to a release; soil-scripts/action downloads the worker from there.
#
# Usage: soil-scripts/release.sh [--no-build] [--out DIR]
#   --no-build  use the jars already built (worker/target, server/target)
#   --out DIR   where soil-VERSION/ goes (default: target/release)
set -o nounset -o pipefail -o errexit
script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
. "$(dirname "$script")/lib.sh"

build=1
out=$SOIL_ROOT/target/release
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build= ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    -h|--help) (soil_usage "$script") 2>&1 || true; exit 0 ;;
    *) echo "release: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$build" ]; then
  soil_log "building the jars (soil-scripts/mvnw -B -ntp -q package -DskipTests) ..."
  (cd "$SOIL_ROOT" && soil-scripts/mvnw -B -ntp -q -Dstyle.color=never package -DskipTests) \
    || soil_die "the build failed"
fi
for jar in "$SOIL_WORKER_JAR" "$SOIL_SERVER_JAR"; do
  [ -f "$jar" ] || soil_die "no jar at $jar: run without --no-build"
done

# The version the jars were built with (what --version prints).
version=$(java -jar "$SOIL_WORKER_JAR" --version | awk '{ print $2 }')
[[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z._-]*$ ]] || soil_die "unexpected version '$version'"
dir=$out/soil-$version
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
cp "$SOIL_WORKER_JAR" "$dir.tmp/soil-worker-$version.jar"
cp "$SOIL_SERVER_JAR" "$dir.tmp/soil-server-$version.jar"
(cd "$dir.tmp" && sha256sum "soil-worker-$version.jar" "soil-server-$version.jar" > SHA256SUMS)
rm -rf "$dir"
mv "$dir.tmp" "$dir"
soil_log "release $version in $dir"
echo "$dir"
