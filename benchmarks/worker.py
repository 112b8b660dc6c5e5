"""One gunicorn worker on the 10,000-meeting network: start-up time, resident memory, and latency over HTTP.

    python -m benchmarks.worker [--size 10000] [--starts 3] [--repeat 10]

1. Starts ``gunicorn -w 1 wsgi:app`` (the production entry point) with DATABASE_URL and
   SECRET_KEY set, and times from launch until ``/healthz`` answers 200; ``--starts`` times.
   After each start it reads the worker's VmRSS from ``/proc/<pid>/status`` (Linux only), then
   warms up with a search from each of the 20 benchmark towns, 20 meetings' ``.ics`` and a few
   area feeds, and reads VmRSS and VmHWM (the peak) again.
2. Starts ``gunicorn -w 1 benchmarks.serve:app`` (the same app plus a bare ``hello`` route) and
   times, over HTTP on 127.0.0.1, the hello route against 304 answers to ``If-None-Match`` for
   a meeting's ``.ics`` and for an area feed, plus the 200 answers, all in the same run.

Each request opens its own connection, as gunicorn's sync worker closes it after one response.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import synthetic
from benchmarks.report import NOT_MODIFIED_TARGET, Timing, fmt, load_average, machine
from benchmarks.search import FEED_FULL, HELLO_PATH, TOWNS, near_query, sample_slugs

ROOT = Path(__file__).resolve().parent.parent
RSS_TARGET_MB = 120
START_TARGET_S = 2.0
READY_TIMEOUT_S = 30


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn master and its single worker."""

    process: subprocess.Popen
    port: int
    ready_s: float

    @property
    def worker_pid(self) -> int:
        """The worker's pid: the master's only child."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def memory_mb(self) -> dict[str, float]:
        """VmRSS (now) and VmHWM (peak) of the worker, in MB (MiB)."""
        fields = {}
        for line in Path(f"/proc/{self.worker_pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        return fields

    def cpu_s(self) -> float:
        """CPU seconds used so far by master and worker together: start-up cost without other load's waiting."""
        total = 0
        for pid in (self.process.pid, self.worker_pid):
            # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """One request on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        """Ask gunicorn to stop, and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(app_path: str, database_url: str, log: Path) -> Server:
    """Launch `gunicorn -w 1 APP` and wait until /healthz answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(48),
           "SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost"}
    env.pop("FLASK_DEBUG", None)
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_path]
    started = time.perf_counter()
    with log.open("ab") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=err, stderr=err)
    deadline = started + READY_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return Server(process, port, time.perf_counter() - started)
            conn.close()
        except OSError:
            pass
        time.sleep(0.005)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz within {READY_TIMEOUT_S} s; see {log}")


def timed_get(server: Server, timing: Timing, path: str, headers: dict | None = None, expect: int = 200):
    """A request whose wall time (client side, connect to last byte) goes into timing."""
    began, cpu = time.perf_counter(), time.thread_time()
    status, response_headers, body = server.get(path, headers)
    timing.add(time.perf_counter() - began, time.thread_time() - cpu)
    if status != expect:
        raise AssertionError(f"GET {path} answered {status}, expected {expect}")
    return response_headers, body


def warm_up(server: Server, slugs: list[str]) -> None:
    """What a worker does in its first minute: searches all over, some .ics, some area feeds."""
    scratch = Timing()
    for town in TOWNS:
        timed_get(server, scratch, f"/meetings?{near_query(town)}", {"HX-Request": "true"})
    for slug in slugs:
        timed_get(server, scratch, f"/meetings/{slug}.ics")
    for town in TOWNS[:3]:
        timed_get(server, scratch, f"/feeds/meetings.ics?{near_query(town)}")


def startup_and_memory(database_url: str, slugs: list[str], starts: int, log: Path) -> list[dict]:
    """Start the production entry point `starts` times; memory before and after warm-up each time."""
    runs = []
    for _ in range(starts):
        server = start("wsgi:app", database_url, log)
        try:
            idle, cpu = server.memory_mb(), server.cpu_s()
            warm_up(server, slugs)
            warm = server.memory_mb()
            runs.append({"ready_s": server.ready_s, "ready_cpu_s": cpu, "idle_rss": idle["VmRSS"],
                         "idle_peak": idle["VmHWM"], "warm_rss": warm["VmRSS"], "peak_rss": warm["VmHWM"]})
        finally:
            server.stop()
    return runs


def latencies(database_url: str, slugs: list[str], repeat: int, log: Path) -> tuple[dict[str, Timing], dict]:
    """Hello, 304s and 200s over HTTP from one worker of the benchmark app, interleaved round by round."""
    server = start("benchmarks.serve:app", database_url, log)
    names = ("hello", "healthz", "ics_304", "feed_304", "ics", "search", "feed_full")
    timings = {name: Timing() for name in names}
    try:
        warm_up(server, slugs)
        feed_tags = {}
        for town in TOWNS:
            path = f"/feeds/meetings.ics?{near_query(town)}"
            headers, body = server.get(path)[1:]
            feed_tags[path] = (headers["ETag"], body.count(b"BEGIN:VEVENT") >= FEED_FULL)
        ics_tags = {slug: server.get(f"/meetings/{slug}.ics")[1]["ETag"] for slug in slugs}
        for round_ in range(repeat + 1):
            scratch = {name: Timing() for name in names}
            for slug, town in zip(slugs, TOWNS):
                feed = f"/feeds/meetings.ics?{near_query(town)}"
                timed_get(server, scratch["hello"], HELLO_PATH)
                timed_get(server, scratch["healthz"], "/healthz")
                timed_get(server, scratch["ics_304"], f"/meetings/{slug}.ics", {"If-None-Match": ics_tags[slug]}, 304)
                timed_get(server, scratch["feed_304"], feed, {"If-None-Match": feed_tags[feed][0]}, 304)
                timed_get(server, scratch["ics"], f"/meetings/{slug}.ics")
                timed_get(server, scratch["search"], feed.replace("/feeds/meetings.ics", "/meetings"), {"HX-Request": "true"})
                if feed_tags[feed][1]:
                    timed_get(server, scratch["feed_full"], feed)
            if round_:
                for name in names:
                    timings[name].extend(scratch[name])
        memory = server.memory_mb()
    finally:
        server.stop()
    return timings, memory


def report(size: int, runs: list[dict], timings: dict[str, Timing], memory: dict, repeat: int) -> str:
    """Markdown for the README."""
    ready = [r["ready_s"] for r in runs]
    warm = [r["warm_rss"] for r in runs]
    peak = max(max(r["peak_rss"] for r in runs), memory["VmHWM"])
    lines = [
        f"One gunicorn sync worker, {size:,} meetings, SQLite; {len(runs)} starts; "
        f"HTTP figures over {repeat} rounds × {len(TOWNS)} (ms, p50 / p95, client side, new connection each).",
        "",
        "| start-up to first /healthz (median, max) | CPU used by then | RSS idle | peak while starting "
        "| RSS after warm-up | peak RSS (VmHWM) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {statistics.median(ready):.2f} s, {max(ready):.2f} s | {statistics.median(r['ready_cpu_s'] for r in runs):.2f} s "
        f"| {statistics.median(r['idle_rss'] for r in runs):.0f} MB | {statistics.median(r['idle_peak'] for r in runs):.0f} MB "
        f"| {statistics.median(warm):.0f} MB | {peak:.0f} MB |",
        "",
        "| hello route | /healthz (SELECT 1) | meeting .ics 304 | area feed 304 | meeting .ics 200 "
        "| GET /meetings (htmx) | full feed (200) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join(
            f"{fmt(timings[n].p50)} / {fmt(timings[n].p95)}" if timings[n].samples else "—"
            for n in ("hello", "healthz", "ics_304", "feed_304", "ics", "search", "feed_full")) + " |",
        "",
    ]
    hello = timings["hello"].p50

    def check(label: str, ok: bool, detail: str) -> None:
        lines.append(f"- {'met' if ok else '**not met**'}: {label} ({detail})")

    check(f"worker resident under {RSS_TARGET_MB} MB", max(warm + [memory["VmRSS"]]) < RSS_TARGET_MB,
          f"{max(warm + [memory['VmRSS']]):.0f} MB after warm-up and the timed requests")
    check(f"worker's peak resident (VmHWM) under {RSS_TARGET_MB} MB", peak < RSS_TARGET_MB, f"{peak:.0f} MB")
    check(f"worker starts in under {START_TARGET_S:g} s", max(ready) < START_TARGET_S, f"slowest {max(ready):.2f} s")
    for name, label in (("ics_304", "meeting .ics"), ("feed_304", "area feed")):
        cost = timings[name].p50
        check(f"{label} 304 within {NOT_MODIFIED_TARGET:g}× of hello (gunicorn)", cost <= NOT_MODIFIED_TARGET * hello,
              f"{fmt(cost)} / {fmt(hello)} = {cost / hello:.2f}×")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the network, then measure the worker."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        raise SystemExit("benchmarks.worker reads /proc: run it on Linux")
    now = datetime.now(timezone.utc)
    load_before = load_average()
    path = synthetic.ensure_sqlite(args.size, now)
    database_url = f"sqlite:///{path}"
    log = synthetic.RESULTS_DIR / "gunicorn.log"
    from benchmarks.search import bench_app

    slugs = sample_slugs(bench_app(database_url), len(TOWNS))
    runs = startup_and_memory(database_url, slugs, args.starts, log)
    timings, memory = latencies(database_url, slugs, args.repeat, log)
    print(f"Machine: {machine()}; load average before/after: {load_before} / {load_average()}\n")
    print(report(args.size, runs, timings, memory, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
