# Shared by the soil-scripts: where the jars are, logging. Source it; it defines functions only.

SOIL_ROOT=${SOIL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SOIL_WORKER_JAR=${SOIL_WORKER_JAR:-$SOIL_ROOT/worker/target/soil-worker.jar}
SOIL_SERVER_JAR=${SOIL_SERVER_JAR:-$SOIL_ROOT/server/target/soil-server.jar}

soil_log() { echo "soil: $*" >&2; }
soil_die() { echo "soil: $*" >&2; exit 1; }

soil_worker() { java -jar "$SOIL_WORKER_JAR" "$@"; }

# Builds the jars when one is missing or older than any source or pom (with the Maven wrapper).
soil_build_if_needed() {
  local stale=
  for jar in "$SOIL_WORKER_JAR" "$SOIL_SERVER_JAR"; do
    if [ ! -f "$jar" ]; then
      stale=1
    elif [ -n "$(find "$SOIL_ROOT/pom.xml" "$SOIL_ROOT/web-templates" "$SOIL_ROOT/worker" \
        "$SOIL_ROOT/server" -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' \
        -o -path '*/src/main/resources/*' \) -not -path '*/target/*' -print -quit)" ]; then
      stale=1
    fi
  done
  if [ -n "$stale" ]; then
    soil_log "building the jars (soil-scripts/mvnw -B -ntp -q package -DskipTests) ..."
    (cd "$SOIL_ROOT" && soil-scripts/mvnw -B -ntp -q -Dstyle.color=never package -DskipTests) \
      || soil_die "the build failed"
  fi
}

# Prints the calling script's header comment (its usage) to stderr and exits 2.
soil_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1" >&2
  exit 2
}
