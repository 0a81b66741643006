"""Live viewers benchmark client (bench/live-viewers.sh starts it): N server-sent-event viewers of
one running task's live log, then the server's threads, heap and idle CPU with them open, then the
latency of appended lines reaching every viewer. Standard library only (asyncio sockets)."""
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"
PORT, N, TOKEN, PID, IDLE_SECONDS, APPENDS = (
    int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
    int(sys.argv[6]))
JOB = "workerHost=github&runId=1&jobName=bench"
TAIL = "github-jobs/1/bench/build"
SEQ = re.compile(rb"seq=(\d+);")


def threads():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def cpu_ticks():
    fields = open(f"/proc/{PID}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def heap_used_kb():
    subprocess.run(["jcmd", str(PID), "GC.run"], capture_output=True, check=True)
    out = subprocess.run(["jcmd", str(PID), "GC.heap_info"], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"total (\d+)K, used (\d+)K", out)
    return int(m.group(2)) if m else -1


async def request(method, path, body=b""):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    writer.write(head + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    status = int(answer.split(b" ", 2)[1])
    if status != 200:
        raise SystemExit(f"{method} {path}: {answer!r}")


class Viewer:
    def __init__(self):
        self.seen = {}  # seq -> monotonic ns when it arrived
        self.connected = asyncio.get_event_loop().create_future()

    async def run(self):
        reader, writer = await asyncio.open_connection(HOST, PORT)
        writer.write((f"GET /live/events?tail={TAIL}@0 HTTP/1.1\r\nHost: {HOST}\r\n"
                      "Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        if b" 200 " not in status:
            self.connected.set_exception(RuntimeError(status.decode().strip()))
            return
        self.connected.set_result(True)
        held = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            now = time.monotonic_ns()
            held = held[-64:] + chunk
            for m in SEQ.finditer(held):
                self.seen.setdefault(int(m.group(1)), now)


async def main():
    base_threads, base_heap, base_fds = threads(), heap_used_kb(), len(os.listdir(f"/proc/{PID}/fd"))
    viewers = [Viewer() for _ in range(N)]
    tasks = []
    start = time.monotonic()
    for i, v in enumerate(viewers):
        tasks.append(asyncio.create_task(v.run()))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    await asyncio.gather(*(v.connected for v in viewers))
    print(f"viewers open: {N} in {time.monotonic() - start:.1f} s")
    await asyncio.sleep(2)
    open_threads, open_heap = threads(), heap_used_kb()
    fds = len(os.listdir(f"/proc/{PID}/fd"))
    print(f"server threads: {base_threads} before, {open_threads} with {N} viewers")
    print(f"server open files: {base_fds} before, {fds} with {N} viewers")
    print(f"heap used after GC: {base_heap / 1024:.1f} MiB before, {open_heap / 1024:.1f} MiB with"
          f" {N} viewers ({(open_heap - base_heap) * 1024 / N:,.0f} bytes per viewer)")
    ticks = os.sysconf("SC_CLK_TCK")
    t0, c0 = time.monotonic(), cpu_ticks()
    await asyncio.sleep(IDLE_SECONDS)
    t1, c1 = time.monotonic(), cpu_ticks()
    print(f"idle CPU with {N} viewers over {t1 - t0:.0f} s: {100 * (c1 - c0) / ticks / (t1 - t0):.2f} %"
          f" of one core ({c1 - c0} ticks)")
    per_delivery, all_reached = [], []
    for seq in range(APPENDS):
        sent = time.monotonic_ns()
        await request("POST", f"/log?{JOB}&task=build", f"line seq={seq}; appended\n".encode())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(seq not in v.seen for v in viewers):
            await asyncio.sleep(0.002)
        got = [(v.seen[seq] - sent) / 1e6 for v in viewers if seq in v.seen]
        if len(got) < N:
            print(f"append {seq}: only {len(got)} of {N} viewers got it within 30 s")
        per_delivery += got
        all_reached.append(max(got))
        await asyncio.sleep(0.2)
    per_delivery.sort()
    all_reached.sort()

    def pct(values, p):
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    print(f"latency of an appended line to each viewer over {APPENDS} appends x {N} viewers:"
          f" p50 {pct(per_delivery, 50):.1f} ms, p99 {pct(per_delivery, 99):.1f} ms,"
          f" max {per_delivery[-1]:.1f} ms")
    print(f"time until all {N} viewers had a line: p50 {pct(all_reached, 50):.1f} ms,"
          f" p99 {pct(all_reached, 99):.1f} ms")
    for t in tasks:
        t.cancel()


asyncio.run(main())
