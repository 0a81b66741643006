#!/usr/bin/env bash
# Installs and prepares what the test suite needs when it is missing: podman (+ runc), the
# test container image, sshd, chromium, nginx, nats-server (JetStream, for the distributed mode). Source it to get CONTAINERS_CONF when needed:
#   . soil-scripts/test-env.sh
# Safe to run again: each step checks first.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { echo "test-env: $*" >&2; }

need_packages=()
command -v podman >/dev/null || need_packages+=(podman)
command -v runc >/dev/null || need_packages+=(runc)
[ -x /bin/busybox ] || need_packages+=(busybox-static)
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
command -v chromium >/dev/null || need_packages+=(chromium)
command -v nginx >/dev/null || need_packages+=(nginx)
# Debian's nats-server 2.9.10: the distributed mode's change stream (io.soilci.server.cluster).
command -v nats-server >/dev/null || need_packages+=(nats-server)
command -v git >/dev/null || need_packages+=(git)
command -v zip >/dev/null || need_packages+=(zip)
command -v curl >/dev/null || need_packages+=(curl)  # SoilShellClientIT runs Soil's curl commands
command -v openssl >/dev/null || need_packages+=(openssl)
command -v systemd-analyze >/dev/null || need_packages+=(systemd)
if [ ${#need_packages[@]} -gt 0 ]; then
  say "installing ${need_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${need_packages[@]}" >/dev/null
fi

# The test image: a tiny rootfs of Debian's static busybox, imported into podman.
export SOIL_TEST_IMAGE=${SOIL_TEST_IMAGE:-localhost/soil-test-busybox:latest}
podman_works() { podman run --rm --network=none "$SOIL_TEST_IMAGE" true >/dev/null 2>&1; }
if ! podman image exists "$SOIL_TEST_IMAGE"; then
  say "building $SOIL_TEST_IMAGE from /bin/busybox"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,tmp,etc,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
  echo 'root:x:0:' > "$rootfs/etc/group"
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["/bin/sh"]' - "$SOIL_TEST_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
if ! podman_works; then
  export CONTAINERS_CONF="$here/podman/sandbox-containers.conf"
  say "podman needs sandbox settings here: CONTAINERS_CONF=$CONTAINERS_CONF"
  podman_works || { say "podman cannot run $SOIL_TEST_IMAGE even with $CONTAINERS_CONF"; exit 1; }
fi
say "ready: podman $(podman --version | awk '{print $3}'), image $SOIL_TEST_IMAGE"
