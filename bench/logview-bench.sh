#!/usr/bin/env bash
# Log view benchmark (issue 12): a 200 MiB deflated log in a job's wwz, served by the real
# soil-server jar. Measures time to first byte and bytes sent for the view's first window (first
# view, which makes the index, then a later one), for the window of line 1,900,000, and for the
# raw log; then headless Chromium's load event for the view vs the raw text of a 5 MiB coloured
# log, and a screenshot of the big log's view at #L1900000 (in WORK, printed).
# Bounded: every process started here is stopped on exit. Usage: bench/logview-bench.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/server/target/soil-server.jar
WORK=$(mktemp -d /tmp/soil-logview-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK/site" "$WORK/state" "$WORK/chromium"
}
trap cleanup EXIT
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && soil-scripts/mvnw -B -ntp -q -pl server -am package -DskipTests)
fi
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

SITE=$WORK/site
mkdir -p "$SITE/github-jobs/1"
python3 - "$SITE/github-jobs/1/bench.wwz" "$WORK/coloured.txt" <<'PY'
import sys, zipfile
big, coloured = [], []
size, i = 0, 0
while size < 200 << 20 or i < 2_100_000:
    i += 1
    line = ("error: the big build broke at step %d\n" % i if i == 1234 else
            "%sline %d of the big log: test_%d took %d ms, checking what needs checking, then checking it once more\n"
            % ("\x1b[32mok\x1b[0m " if i % 100 == 0 else "", i, i * 7919 % 100003, i % 997))
    big.append(line); size += len(line)
size, i = 0, 0
while size < 5 << 20:
    i += 1
    line = ("\x1b[31mFAILED\x1b[0m test_%d - \x1b[1massert %d == 2\x1b[0m\n" % (i, i) if i % 10 == 0 else
            "\x1b[32m[ OK ]\x1b[0m test_%d \x1b[38;5;208m%d ms\x1b[0m\n" % (i, i % 997))
    coloured.append(line); size += len(line)
coloured = "".join(coloured).encode()
open(sys.argv[2], "wb").write(coloured)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("_tmp/soil/INDEX.tsv", "1\t80.0\tbig\tci.sh\tbig\t-\n1\t9.0\tcoloured\tci.sh\tcoloured\t-\n")
    z.writestr("_tmp/soil/logs/big.txt", "".join(big).encode())
    z.writestr("_tmp/soil/logs/coloured.txt", coloured)
PY
echo '{"job-name": "bench"}' >"$SITE/github-jobs/1/bench.json"
cp "$WORK/coloured.txt" "$SITE/coloured.txt"

PORT=$(free_port)
java -Xmx256m -jar "$JAR" serve --site "$SITE" --state "$WORK/state" --listen "127.0.0.1:$PORT" \
  >"$WORK/soil.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
BASE=http://127.0.0.1:$PORT/github-jobs/1/bench.wwz/_tmp/soil/logs
measure() { # label, url, extra curl args
  local label=$1 url=$2
  shift 2
  curl -fsS -o /dev/null "$@" -w "$label\t%{time_starttransfer}\t%{size_download}\n" "$url"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'case\ttime to first byte (s)\tbytes sent\n'
measure "view, first (makes the index)" "$BASE/big.txt?view" -H 'Accept-Encoding: gzip'
measure "view, again" "$BASE/big.txt?view" -H 'Accept-Encoding: gzip'
measure "view of line 1,900,000" "$BASE/big.txt?view&from=1900000" -H 'Accept-Encoding: gzip'
measure "raw log, gzip" "$BASE/big.txt" -H 'Accept-Encoding: gzip'
measure "raw log, plain" "$BASE/big.txt"
echo "index folder: $(du -sb "$WORK/state/log-index" | cut -f1) bytes"

# Chromium's load event through the DevTools protocol (a minimal websocket client, stdlib only).
CDP_PORT=$(free_port)
chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" \
  --remote-debugging-port="$CDP_PORT" about:blank >/dev/null 2>&1 &
PIDS+=($!)
python3 - "$CDP_PORT" "http://127.0.0.1:$PORT" "$WORK/log-view-deep-line.png" <<'PY'
import base64, json, os, socket, struct, sys, time, urllib.request
port, base, shot = sys.argv[1], sys.argv[2], sys.argv[3]
for _ in range(100):
    try:
        pages = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port))
        ws = [p for p in pages if p["type"] == "page"][0]["webSocketDebuggerUrl"]
        break
    except Exception:
        time.sleep(0.2)
host, path = ws[len("ws://"):].split("/", 1)
s = socket.create_connection(tuple([host.split(":")[0], int(host.split(":")[1])]))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, key)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
buf = buf.split(b"\r\n\r\n", 1)[1]
def recv_exact(n):
    global buf
    while len(buf) < n:
        buf += s.recv(1 << 20)
    out, buf = buf[:n], buf[n:]
    return out
def read_message():
    data = b""
    while True:
        b0, b1 = recv_exact(2)
        n = b1 & 0x7f
        if n == 126: n = struct.unpack(">H", recv_exact(2))[0]
        elif n == 127: n = struct.unpack(">Q", recv_exact(8))[0]
        data += recv_exact(n)
        if b0 & 0x80: return json.loads(data)
ids = [0]
def call(method, **params):
    ids[0] += 1
    payload = json.dumps({"id": ids[0], "method": method, "params": params}).encode()
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    while True:
        m = read_message()
        if m.get("id") == ids[0]:
            return m.get("result", {})
def load_event(url, wait_for=None):
    call("Page.navigate", url=url)
    js = "document.readyState === 'complete'" + (" && (%s)" % wait_for if wait_for else "")
    start = time.time()
    while time.time() - start < 60:
        r = call("Runtime.evaluate", expression="!!(" + js + ")", returnByValue=True)
        if r.get("result", {}).get("value"): break
        time.sleep(0.05)
    shown = time.time() - start
    r = call("Runtime.evaluate", returnByValue=True,
             expression="Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)")
    return r["result"]["value"], shown
call("Page.enable")
logs = base + "/github-jobs/1/bench.wwz/_tmp/soil/logs/"
print("case\tload event (ms)")
for label, url in [("5 MiB coloured log, view (first)", logs + "coloured.txt?view"),
                   ("5 MiB coloured log, view (again)", logs + "coloured.txt?view"),
                   ("5 MiB coloured log, raw text", base + "/coloured.txt")]:
    for _ in range(1 if "first" in label else 3):
        load, _ = load_event(url)
        print("%s\t%d" % (label, load))
load, shown = load_event(logs + "big.txt?view#L1900000", "document.getElementById('L1900000')")
print("200 MiB log at #L1900000, view (index made)\t%d (line on screen after %.1f s)" % (load, shown))
call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
open(shot, "wb").write(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
print("screenshot: " + shot)
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
