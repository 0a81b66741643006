#!/usr/bin/env bash
# The whole test suite: prepares what the tests need (soil-scripts/test-env.sh), then runs
# unit tests (surefire) and the *IT tests against real podman, sshd, chromium (failsafe).
set -euo pipefail
cd "$(dirname "$0")/.."
. soil-scripts/test-env.sh
# The Maven wrapper: the Maven version pinned in .mvn/wrapper/, fetched once from Maven Central.
exec soil-scripts/mvnw -B -ntp verify "$@"
