#!/usr/bin/env python3
"""Coordinator benchmark: dispatch overhead and queue throughput, on 127.0.0.1 only.

Starts a soil-server from its jar in a temp folder, then
  1. dispatch: one real agent (soil-worker agent, local provider, capacity 1); for N = 1, 10, 100
     trivial jobs submitted at once, the time from the submit to the first task's start, and the
     mean time between task starts (submit -> checkout -> run-job -> publish -> outcome -> next);
  2. throughput: AGENTS fake agents (threads, one token each) that take a job and report it
     passed at once; JOBS jobs submitted at once; jobs handed out and reported per second.
Every loop is bounded in count and time; everything started is stopped at the end.
"""
import base64, http.client, json, os, shutil, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER_JAR = os.environ.get("SERVER_JAR", os.path.join(ROOT, "server/target/soil-server.jar"))
WORKER_JAR = os.environ.get("WORKER_JAR", os.path.join(ROOT, "worker/target/soil-worker.jar"))
AGENTS = int(os.environ.get("AGENTS", "20"))
JOBS = int(os.environ.get("JOBS", "1000"))
SIZES = [int(n) for n in os.environ.get("SIZES", "1,10,100").split(",") if n]
DEADLINE = 600


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def add_worker(tmp, name, scopes):
    out = run("java", "-jar", SERVER_JAR, "add-worker", name, "--config", f"{tmp}/config.json",
              "--scopes", scopes)
    return next(l for l in out.splitlines() if l.startswith(name + ":"))


class Client:
    def __init__(self, port, token):
        self.port = port
        self.auth = "Basic " + base64.b64encode(token.encode()).decode()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)

    def post(self, path, body=""):
        self.conn.request("POST", path, body=body.encode(),
                          headers={"Authorization": self.auth, "Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read().decode()
        if r.status >= 400:
            raise RuntimeError(f"{path}: {r.status} {data}")
        return r.status, (json.loads(data) if data.strip() else None)


def submit_body(commit, repo, run_id, n, script):
    jobs = [{"name": f"j{i}", "tasks": f"t ci/{script} {i} -\n"} for i in range(n)]
    return json.dumps({"commit": commit, "repository": repo, "runId": run_id, "jobs": jobs})


def main():
    tmp = tempfile.mkdtemp(prefix="soil-coord-bench-")
    procs = []
    try:
        port = free_port()
        os.makedirs(f"{tmp}/site")
        with open(f"{tmp}/config.json", "w") as f:
            json.dump({"site": "site", "state": "state", "listen": f"127.0.0.1:{port}",
                       "coordinator": {"maxJobsPerSubmit": max(JOBS, 100)}}, f)
        submit_token = add_worker(tmp, "bench", "submit")
        agent_token = add_worker(tmp, "agent", "agent,github-jobs")
        fake_tokens = [add_worker(tmp, f"fake{i}", "agent") for i in range(AGENTS)]
        server = subprocess.Popen(["java", "-jar", SERVER_JAR, "serve", "--config", f"{tmp}/config.json"],
                                  stdout=open(f"{tmp}/server.log", "w"), stderr=subprocess.STDOUT)
        procs.append(server)
        end = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.time() > end or server.poll() is not None:
                    sys.exit("server did not start; see " + tmp)
                time.sleep(0.2)

        repo = f"{tmp}/repo"
        marks = f"{tmp}/marks"
        os.makedirs(f"{repo}/ci")
        os.makedirs(marks)
        with open(f"{repo}/ci/start.sh", "w") as f:
            f.write('#!/bin/sh\ndate +%s.%N >> "$MARKS/starts"\n')
        os.chmod(f"{repo}/ci/start.sh", 0o755)
        run("git", "-C", repo, "init", "-q", "-b", "main")
        run("git", "-C", repo, "add", ".")
        run("git", "-C", repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "b")
        commit = run("git", "-C", repo, "rev-parse", "HEAD").strip()
        submitter = Client(port, submit_token)

        # 1. dispatch overhead with one real agent
        env = dict(os.environ, SOIL_TOKEN=agent_token, MARKS=marks)
        agent = subprocess.Popen(["java", "-jar", WORKER_JAR, "agent", "--server", f"http://127.0.0.1:{port}/",
                                  "--capacity", "1", "--work-dir", f"{tmp}/work"], env=env,
                                 stdout=open(f"{tmp}/agent.log", "w"), stderr=subprocess.STDOUT)
        procs.append(agent)
        # A first job warms the agent's JVM (class loading), then the measured ones.
        for n in ([1] + SIZES) if SIZES else []:
            starts = f"{marks}/starts"
            if os.path.exists(starts):
                os.remove(starts)
            t0 = time.time()
            submitter.post("/coordinator/submit", submit_body(commit, repo, f"dispatch-{n}-{t0:.0f}", n, "start.sh"))
            end = time.time() + DEADLINE
            while True:
                lines = open(starts).read().split() if os.path.exists(starts) else []
                if len(lines) >= n:
                    break
                if time.time() > end:
                    sys.exit(f"dispatch {n}: only {len(lines)} tasks started; see {tmp}")
                time.sleep(0.05)
            times = sorted(float(x) for x in lines)
            first = times[0] - t0
            gap = (times[-1] - times[0]) / (n - 1) if n > 1 else float("nan")
            print(f"dispatch queued={n}: submit->first task {first:.3f} s; mean between task starts {gap:.3f} s;"
                  f" submit->last task {times[-1] - t0:.3f} s", flush=True)
            # wait until the agent has reported the last job before the next size
            time.sleep(2)
        agent.terminate()
        agent.wait(30)

        # 2. throughput with fake agents that report at once
        done = [0]
        ready = [0]
        lock = threading.Lock()
        stop = threading.Event()

        def fake(token):
            c = Client(port, token)
            # A first request verifies the token (PBKDF2, 600,000 iterations, two at a time on the
            # server) and caches it: timed apart, so that the throughput is the queue's alone.
            c.post("/coordinator/poll?wait=1")
            with lock:
                ready[0] += 1
            while not stop.is_set():
                status, job = c.post("/coordinator/poll?wait=2")
                if status == 200:
                    c.post(f"/coordinator/outcome?job={job['id']}&outcome=passed&status=0")
                    with lock:
                        done[0] += 1

        submitter = Client(port, submit_token)  # the old connection may have idled out
        tl = time.time()
        threads = [threading.Thread(target=fake, args=(t,), daemon=True) for t in fake_tokens]
        for t in threads:
            t.start()
        try:
            submitter.post("/coordinator/cancel?job=999999999")  # verifies the submitter's token
        except RuntimeError as e:
            if " 404 " not in str(e):
                raise
        end = time.time() + DEADLINE
        while ready[0] < AGENTS and time.time() < end:
            time.sleep(0.01)
        print(f"logins: {AGENTS + 1} fresh tokens verified in {time.time() - tl:.2f} s"
              " (first request of each)", flush=True)
        time.sleep(1.5)  # every fake agent is waiting again
        t0 = time.time()
        submitter.post("/coordinator/submit", submit_body(commit, repo, f"throughput-{t0:.0f}", JOBS, "start.sh"))
        t1 = time.time()
        end = t0 + DEADLINE
        while done[0] < JOBS and time.time() < end:
            time.sleep(0.01)
        elapsed = time.time() - t0
        stop.set()
        print(f"throughput: {done[0]} jobs to {AGENTS} idle agents in {elapsed:.2f} s (submit {t1 - t0:.3f} s):"
              f" {done[0] / elapsed:.0f} jobs/s (poll + outcome each)", flush=True)
        with open(f"{tmp}/state/coordinator/queue.log", "rb") as f:
            print(f"queue log: {sum(1 for _ in f)} records after compaction(s)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)


if __name__ == "__main__":
    main()
