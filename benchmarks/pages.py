"""Every public page against a bare "hello" route, under gunicorn with 2 workers, measured by wrk in one run.

    python -m benchmarks.pages [--size 10000] [--runs 3] [--seconds 3] [--page-redis]
    python -m benchmarks.pages --render --sizes 1000 100000     # uncached searches: 100,000 against 1,000

Starts ``gunicorn -w 2 benchmarks.serve:app`` (the production app plus ``/_bench/hello``, with the
production gunicorn.conf.py and its redacted access log, written to /dev/null) on the SQLite network of
that size, with a private redis-server for the login limits (and, with ``--page-redis``, for the page store
too), warms every URL, then runs ``wrk -t1 -c4`` for ``--seconds`` on hello and then on each target, pair by pair:
hello, the home page, a search with and without htmx, a meeting page, ``/api/v1/meetings``, the Meeting
Guide JSON, and conditional GETs that match (304). Each ratio is a target's throughput over the hello
measured just before it (this VM's speed drifts within seconds); the round is repeated ``--runs`` times and
the table gives the median ratio's run and the others.

``--render`` turns the page store off (FLASK_PAGE_CACHE_SIZE=0) and cycles the search over the 20 benchmark towns,
so every request is rendered: what a first visitor after a change waits for.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import synthetic
from benchmarks.report import load_average, machine
from benchmarks.search import HELLO_PATH, TOWNS, near_query, sample_slugs

ROOT = Path(__file__).resolve().parent.parent
PAGE_TARGET = 0.25  # each page at least a quarter of hello's throughput
NOT_MODIFIED_TARGET = 0.65
P95_TARGET_MS = 25.0
SCALING_TARGET = 2.0
HTMX = {"HX-Request": "true"}
WRK_SCRIPT = """
local paths, i = {}, 0
function init(args) for _, p in ipairs(args) do paths[#paths + 1] = p end end
function request()
  if #paths == 0 then return wrk.format() end
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout))
end
"""


@dataclass
class Target:
    """One line of the table: a URL (or several, cycled), its headers and the status it must answer."""

    name: str
    paths: list[str]
    headers: dict
    status: int = 200


@dataclass
class Result:
    """What wrk measured for one target in one run."""

    rps: float
    p50: float
    p95: float
    errors: int


def start(database_url: str, port: int, env_extra: dict, log: Path) -> subprocess.Popen:
    """gunicorn with 2 sync workers on the benchmark app, ready when /healthz answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(48),
           "SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost", **env_extra}
    env.pop("FLASK_DEBUG", None)
    env.setdefault("GUNICORN_ACCESSLOG", "/dev/null")
    env.setdefault("GUNICORN_CONTROL_SOCKET", "off")
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2",
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.serve:app"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        try:
            if get(port, "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict]:
    """One request: its status and headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def targets(port: int, slug: str) -> list[Target]:
    """The cached-answer table's targets; the 304s carry the ETag each page answered with."""
    search = f"/meetings?{near_query('Dundee')}"
    pages = [
        Target("hello", [HELLO_PATH], {}),
        Target("home /", ["/"], {}),
        Target("search", [search], {}),
        Target("search (htmx)", [search], HTMX),
        Target("meeting page", [f"/meetings/{slug}"], {}),
        Target("/api/v1/meetings", [f"/api/v1/meetings?{near_query('Dundee')}"], {}),
        Target("/api/meetings.json", ["/api/meetings.json"], {}),
    ]
    conditional = []
    for page in pages[2:]:
        status, headers = get(port, page.paths[0], {**page.headers, "Accept-Encoding": "gzip"})
        if status != 200 or "ETag" not in headers:
            raise SystemExit(f"{page.paths[0]} answered {status} without an ETag")
        conditional.append(Target(f"{page.name} 304", page.paths, {**page.headers, "If-None-Match": headers["ETag"]},
                                  304))
    return pages + conditional


def wrk(port: int, target: Target, seconds: int, connections: int, script: Path) -> Result:
    """Run wrk on one target and read the line our Lua `done` prints."""
    # Every browser and meeting-finder app asks for gzip; hello is too small to be compressed.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), "-H", "Host: 127.0.0.1",
               "-H", "Accept-Encoding: gzip"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [f"http://127.0.0.1:{port}{target.paths[0]}", "--", *target.paths]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Result(data["requests"] / data["seconds"], data["p50"], data["p95"], data["errors"])


def measure(port: int, chosen: list[Target], runs: int, seconds: int, connections: int) -> list[dict[str, Result]]:
    """Every target once per run, in turn, after checking each answers the status it should."""
    script = Path(tempfile.mkdtemp(prefix="rn-wrk-")) / "bench.lua"
    script.write_text(WRK_SCRIPT)
    for target in chosen:
        for path in target.paths:
            for _ in range(4):  # both workers render (or fetch) each answer before timing starts
                status = get(port, path, {**target.headers, "Accept-Encoding": "gzip"})[0]
                if status != target.status:
                    raise SystemExit(f"{path} answered {status}, expected {target.status}")
    results = []
    hello = chosen[0]
    for _ in range(runs):
        run: dict[str, Result] = {}
        for target in chosen[1:]:
            # Hello right before each target: this VM's speed drifts within seconds, and a ratio taken from
            # neighbouring windows keeps the drift out of it.
            run[f"hello before {target.name}"] = wrk(port, hello, seconds, connections, script)
            run[target.name] = wrk(port, target, seconds, connections, script)
        run["hello"] = Result(*(statistics.median(getattr(r, f) for k, r in run.items() if k.startswith("hello "))
                                for f in ("rps", "p50", "p95", "errors")))
        results.append(run)
    shutil.rmtree(script.parent, ignore_errors=True)
    return results


def middle(values: list[float]) -> tuple[float, list[float]]:
    """The median, and the other values in run order."""
    med = statistics.median(values)
    others = list(values)
    others.remove(min(values, key=lambda v: abs(v - med)))
    return med, others


def table(results: list[dict[str, Result]], chosen: list[Target]) -> str:
    """Markdown: requests/s (median run, others), ratio to the hello just before, p50 and p95 of the median run."""
    lines = ["| target | requests/s (median; other runs) | × hello (median; others) | p50 ms | p95 ms | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    verdicts = []
    for target in chosen:
        rps = [run[target.name].rps for run in results]
        before = "hello" if target.name == "hello" else f"hello before {target.name}"
        ratios = [run[target.name].rps / run[before].rps for run in results]
        ratio, ratio_others = middle(ratios)
        run = results[ratios.index(ratio)] if ratio in ratios else results[0]
        others = [r for r in rps if r != run[target.name].rps]
        errors = sum(r[target.name].errors for r in results)
        lines.append(f"| {target.name} | {run[target.name].rps:,.0f}; {', '.join(f'{o:,.0f}' for o in others)} "
                     f"| {ratio:.2f}; {', '.join(f'{o:.2f}' for o in ratio_others)} "
                     f"| {run[target.name].p50:.1f} | {run[target.name].p95:.1f} | {errors} |")
        if target.name != "hello" and "rendered" not in target.name:  # rendered: compared across sizes instead
            goal = NOT_MODIFIED_TARGET if target.status == 304 else PAGE_TARGET
            p95 = statistics.median(r[target.name].p95 for r in results)
            verdicts.append(f"- {'met' if ratio >= goal and p95 < P95_TARGET_MS else '**not met**'}: {target.name} "
                            f"≥ {goal:g}× hello and p95 < {P95_TARGET_MS:g} ms ({ratio:.2f}×, p95 {p95:.1f} ms)")
    return "\n".join(lines + [""] + verdicts)


def render_targets() -> list[Target]:
    """Searches cycled over the 20 towns, never answered from the store."""
    paths = [f"/meetings?{near_query(town)}" for town in TOWNS]
    return [Target("hello", [HELLO_PATH], {}), Target("search, rendered", paths, {}),
            Target("search (htmx), rendered", paths, HTMX)]


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the networks, serve each, and print the tables for the README."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--sizes", type=int, nargs="+", help="with --render: the sizes to compare")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--page-redis", action="store_true", help="share kept answers through Redis (PAGE_CACHE_URL)")
    parser.add_argument("--render", action="store_true", help="no page store: every search rendered")
    args = parser.parse_args(argv)
    for program in ("wrk", "redis-server"):
        if shutil.which(program) is None:
            raise SystemExit(f"{program} is not installed (Debian: apt-get install {program.split('-')[0]})")
    print(f"{machine()}; load before: {load_average()}", flush=True)
    redis_port = synthetic_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {"FLASK_RATELIMIT_STORAGE_URI": redis_url}  # 2 workers: gunicorn.conf.py refuses memory:// limits
    if args.page_redis:
        env["PAGE_CACHE_URL"] = redis_url
    if args.render:
        env["FLASK_PAGE_CACHE_SIZE"] = "0"
    try:
        by_size = {size: serve_size(size, args, env) for size in args.sizes or [args.size]}
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    if args.render and len(by_size) > 1:
        small, large = min(by_size), max(by_size)
        for name in ("search, rendered", "search (htmx), rendered"):
            # Each size's throughput as a share of the hello beside it: the servers ran minutes apart.
            share = {size: statistics.median(r[name].rps / r[f"hello before {name}"].rps for r in by_size[size])
                     for size in (small, large)}
            ratio = share[small] / share[large]
            print(f"- {'met' if ratio <= SCALING_TARGET else '**not met**'}: {name} at {large:,} within "
                  f"{SCALING_TARGET:g}× of {small:,} over HTTP (throughput {ratio:.2f}×)")
    print(f"\nload after: {load_average()}")
    return 0


def serve_size(size: int, args, env: dict) -> list[dict[str, Result]]:
    """Serve one network size and measure its targets; prints its table."""
    from benchmarks.search import bench_app

    database_url = f"sqlite:///{synthetic.ensure_sqlite(size, datetime.now(timezone.utc))}"
    slug = sample_slugs(bench_app(database_url), 1)[0]
    port = synthetic_port()
    process = start(database_url, port, env, synthetic.RESULTS_DIR / "gunicorn-pages.log")
    try:
        chosen = render_targets() if args.render else targets(port, slug)
        results = measure(port, chosen, args.runs, args.seconds, args.connections)
    finally:
        process.terminate()
        process.wait(timeout=20)
    print(f"\n### {size:,} meetings{' (rendered, no page store)' if args.render else ''}"
          f"{', page store shared through Redis' if args.page_redis else ''}\n")
    print(table(results, chosen), flush=True)
    return results


def synthetic_port() -> int:
    """A free loopback port for this size's server."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
