#!/usr/bin/env bash
# Puts soil-worker.jar in DIR once: downloaded from a release and checked against its SHA256SUMS
# when SOIL_VERSION is set, else built from the Soil sources this script belongs to. A jar
# already in DIR (a cache hit) is kept. Prints the jar's path. Used by action.yml; works on any
# CI host with bash, curl, sha256sum and Java 17.
#
# Usage: soil-scripts/action/fetch-worker.sh DIR
# Environment: SOIL_VERSION (a release, e.g. 0.1.0; empty: build), SOIL_RELEASE_URL (where the
# release's files are: SOIL_RELEASE_URL/soil-worker-VERSION.jar and SOIL_RELEASE_URL/SHA256SUMS;
# default https://github.com/$SOIL_REPOSITORY/releases/download/v$SOIL_VERSION).
set -o nounset -o pipefail -o errexit
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

die() { echo "fetch-worker: $*" >&2; exit 1; }
[ $# -eq 1 ] || { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
dir=$1
jar=$dir/soil-worker.jar
if [ -f "$jar" ]; then
  echo "$jar"
  exit 0
fi
mkdir -p "$dir"
version=${SOIL_VERSION:-}
if [ -n "$version" ]; then
  [[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z._-]*$ ]] || die "SOIL_VERSION '$version' is not a version like 0.1.0"
  url=${SOIL_RELEASE_URL:-https://github.com/${SOIL_REPOSITORY:?set SOIL_REPOSITORY=OWNER/REPO or SOIL_RELEASE_URL}/releases/download/v$version}
  tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL --retry 3 -o "$tmp/soil-worker-$version.jar" "$url/soil-worker-$version.jar" \
    || die "cannot download $url/soil-worker-$version.jar"
  curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$url/SHA256SUMS" || die "cannot download $url/SHA256SUMS"
  grep -E "^[0-9a-f]{64}  soil-worker-$version\.jar$" "$tmp/SHA256SUMS" > "$tmp/worker.sum" \
    || die "$url/SHA256SUMS has no line for soil-worker-$version.jar"
  (cd "$tmp" && sha256sum --quiet -c worker.sum) \
    || die "soil-worker-$version.jar from $url does not match its SHA256SUMS: not used"
  mv "$tmp/soil-worker-$version.jar" "$jar"
else
  [ -f "$root/worker/pom.xml" ] || die "no SOIL_VERSION and no Soil sources at $root to build from"
  echo "fetch-worker: building the worker from $root ..." >&2
  (cd "$root" && soil-scripts/mvnw -B -ntp -q -Dstyle.color=never -pl worker -am package -DskipTests) \
    || die "the build failed"
  cp "$root/worker/target/soil-worker.jar" "$jar.tmp"
  mv "$jar.tmp" "$jar"
fi
echo "$jar"
