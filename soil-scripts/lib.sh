# Shared by the soil-scripts: where the jars are, logging. Source it; it defines functions only.

SOIL_ROOT=${SOIL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# A worker jar given from outside (the action soil-scripts/action, a release download) is used
# as it is; otherwise the one built from these sources.
SOIL_WORKER_JAR_GIVEN=${SOIL_WORKER_JAR:+1}
SOIL_WORKER_JAR=${SOIL_WORKER_JAR:-$SOIL_ROOT/worker/target/soil-worker.jar}
SOIL_SERVER_JAR=${SOIL_SERVER_JAR:-$SOIL_ROOT/server/target/soil-server.jar}

soil_log() { echo "soil: $*" >&2; }
soil_die() { echo "soil: $*" >&2; exit 1; }

# The worker through its launcher (soil-scripts/soil-worker): start-up flags and an AppCDS archive.
soil_worker() { SOIL_WORKER_JAR=$SOIL_WORKER_JAR "$SOIL_ROOT/soil-scripts/soil-worker" "$@"; }

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

# The CI scripts need only the worker jar: $SOIL_WORKER_JAR when given (it must exist), else
# the one built from these sources, built (worker module only) when missing or stale.
soil_need_worker() {
  if [ -n "$SOIL_WORKER_JAR_GIVEN" ]; then
    [ -f "$SOIL_WORKER_JAR" ] || soil_die "SOIL_WORKER_JAR=$SOIL_WORKER_JAR does not exist"
    return
  fi
  [ -f "$SOIL_ROOT/worker/pom.xml" ] || soil_die "no worker jar: set SOIL_WORKER_JAR (the action soil-scripts/action sets it, or download soil-worker-VERSION.jar from a release)"
  if [ ! -f "$SOIL_WORKER_JAR" ] || [ -n "$(find "$SOIL_ROOT/pom.xml" "$SOIL_ROOT/web-templates" \
      "$SOIL_ROOT/worker" -newer "$SOIL_WORKER_JAR" -type f \( -name '*.java' -o -name 'pom.xml' \
      -o -path '*/src/main/resources/*' \) -not -path '*/target/*' -print -quit)" ]; then
    soil_log "building the worker jar (soil-scripts/mvnw -B -ntp -q -pl worker -am package -DskipTests) ..."
    (cd "$SOIL_ROOT" && soil-scripts/mvnw -B -ntp -q -Dstyle.color=never -pl worker -am package \
      -DskipTests) || soil_die "the build failed"
  fi
}

# Prints the calling script's header comment (its usage) to stderr and exits 2.
soil_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1" >&2
  exit 2
}
