#!/bin/sh
# The demo job's tasks (quickstart and the examples): a few real commands, one failing.
# Usage: soil-scripts/demo/tasks.sh TASK
set -eu

os_info() {
  uname -a
  cat /etc/os-release 2>/dev/null | head -3 || true
}

build() {
  mkdir -p _tmp/demo
  i=0
  while [ $i -lt 5 ]; do
    echo "compiling unit $i"
    i=$((i + 1))
  done
  echo 'int main() { return 0; }' > _tmp/demo/main.c
  echo "built _tmp/demo/main.c"
}

unit_tests() {
  mkdir -p _tmp/demo
  passed=0
  for t in parse eval print; do
    echo "test $t ... ok"
    passed=$((passed + 1))
  done
  printf '<!DOCTYPE html><title>report</title><h1>%s tests passed</h1>\n' "$passed" \
    > _tmp/demo/report.html
  echo "wrote _tmp/demo/report.html"
}

lint() {
  echo "checking style ..."
  echo "soil-scripts/demo/tasks.sh:1: line too long (demo failure)" >&2
  return 1
}

case ${1:-} in
  os-info) os_info ;;
  build) build ;;
  unit-tests) unit_tests ;;
  lint) lint ;;
  *) echo "usage: $0 os-info|build|unit-tests|lint" >&2; exit 2 ;;
esac
