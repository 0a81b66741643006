#!/usr/bin/env bash
# Installs soil-server on a Debian-like host, as root: a 'soil' system user, the folders
# (site /srv/soil/site, state /var/lib/soil), /etc/soil/config.json, the jar in /opt/soil and
# its launcher in /opt/soil/bin, a 'soil-server' command, the systemd unit, and the first worker
# token (printed once).
#
# Usage: deploy/install.sh [--jar PATH] [--worker NAME] [--scopes LIST] [--no-start] [--help]
#   --jar      the server jar (default: server/target/soil-server.jar; build it first)
#   --worker   the first worker's name (default: ci); --scopes (default: github-jobs,status-api)
#   --no-start install only; do not enable or start the service
# The 'soil' user has a shell (/bin/sh) and no password, so that CI can publish over SSH as it
# (docs/DEPLOY.md: a key in /var/lib/soil/.ssh/authorized_keys, restricted to sftp and ingest).
# Environment (for tests and unusual layouts): SOIL_PREFIX (default /) is prepended to every
# installed path; with SOIL_PREFIX set, no user is created and systemd is not touched.
set -o nounset -o pipefail -o errexit
here=$(cd "$(dirname "$0")" && pwd)

jar=$here/../server/target/soil-server.jar
worker=ci
scopes=github-jobs,status-api
start=1
while [ $# -gt 0 ]; do
  case $1 in
    --jar) jar=$2; shift ;;
    --worker) worker=$2; shift ;;
    --scopes) scopes=$2; shift ;;
    --no-start) start= ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$jar" ] || { echo "install: no jar at $jar: run 'mvn -B -ntp package -DskipTests' first" >&2; exit 1; }

prefix=${SOIL_PREFIX:-}
say() { echo "install: $*" >&2; }

if [ -z "$prefix" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install: run as root" >&2; exit 1; }
  if ! command -v java >/dev/null; then
    say "installing a Java runtime"
    apt-get update -qq
    apt-get install -y -qq openjdk-17-jre-headless
  fi
  if ! id soil >/dev/null 2>&1; then
    # A shell for SSH publishing; '*' (no password, not locked) so sshd accepts its keys.
    useradd --system --home-dir /var/lib/soil --shell /bin/sh soil
    usermod --password '*' soil
  fi
fi

install -d -m 0755 "$prefix/opt/soil" "$prefix/opt/soil/bin" "$prefix/etc/soil" "$prefix/srv/soil/site" "$prefix/usr/local/bin"
install -d -m 0700 "$prefix/var/lib/soil"
install -m 0644 "$jar" "$prefix/opt/soil/soil-server.jar"
# The launcher: the jar with an AppCDS archive of its classes, written when its first run stops.
install -m 0755 "$here/../soil-scripts/soil-java" "$here/../soil-scripts/soil-server" \
  "$prefix/opt/soil/bin/"
if [ ! -f "$prefix/etc/soil/config.json" ]; then
  sed -e "s#\"/srv/soil/site\"#\"$prefix/srv/soil/site\"#" -e "s#\"/var/lib/soil\"#\"$prefix/var/lib/soil\"#" \
    "$here/config.json" > "$prefix/etc/soil/config.json"
  say "wrote $prefix/etc/soil/config.json"
else
  say "kept the existing $prefix/etc/soil/config.json"
fi
cat > "$prefix/usr/local/bin/soil-server" <<EOT
#!/bin/sh
# soil-server CLI (serve, add-worker, regen, ingest) with the installed jar; serve through its
# launcher (an AppCDS archive of the server's classes, written when its first serve stops).
case \${1:-} in
  serve) SOIL_SERVER_JAR=$prefix/opt/soil/soil-server.jar exec $prefix/opt/soil/bin/soil-server "\$@" ;;
  *) exec java -jar $prefix/opt/soil/soil-server.jar "\$@" ;;
esac
EOT
chmod 0755 "$prefix/usr/local/bin/soil-server"

if [ -z "$prefix" ]; then
  chown -R soil:soil /srv/soil /var/lib/soil
  install -m 0644 "$here/soil-server.service" /etc/systemd/system/soil-server.service
fi

if [ ! -s "$prefix/var/lib/soil/workers.json" ]; then
  # add-worker's own message (stderr) stays on the terminal when it fails.
  token=$(java -jar "$prefix/opt/soil/soil-server.jar" add-worker "$worker" \
    --config "$prefix/etc/soil/config.json" --scopes "$scopes") \
    || { say "add-worker failed (above); fix --worker/--scopes and run install.sh again"; exit 1; }
  [ -z "$prefix" ] && chown soil:soil /var/lib/soil/workers.json
  echo "First worker token (shown once; store it as the CI secret SOIL_TOKEN):"
  echo "  $token"
fi

if [ -z "$prefix" ] && [ -n "$start" ]; then
  systemctl daemon-reload
  systemctl enable --now soil-server
  say "started: systemctl status soil-server; next, put deploy/nginx/soil.conf in front of it"
fi
