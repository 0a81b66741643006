#!/bin/sh
# Load run of soil-server (see docs/RELIABILITY.md): the real jar at -Xmx256m, 64 workers uploading
# ~300 KB jobs while 4 readers fetch pages and logs, for 60 s (SECONDS=N to change), then the
# back-pressure run. Figures: server/target/reliability/load.txt.
#   bench/load.sh            # 60 s
#   SECONDS_=120 bench/load.sh
set -eu
cd "$(dirname "$0")/.."
rm -f server/target/reliability/load.txt
soil-scripts/mvnw -B -ntp -pl server -am verify -Pload -Dsoil.load.seconds="${SECONDS_:-60}" \
  -Dit.test=LoadIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dspotless.check.skip=true
cat server/target/reliability/load.txt
