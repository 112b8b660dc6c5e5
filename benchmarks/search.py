"""Time near-searches and feeds on synthetic networks of 1,000, 10,000 and 100,000 meetings.

    python -m benchmarks.search [--sizes 1000 10000 100000] [--repeat 10] [--database-url URL]

Everything runs in one process through Flask's test client (the WSGI app, no network), so the
figures are the app's own cost. For each size it times, over `repeat` rounds of the same 20
towns resolved through the gazetteer:

- the near-search service, ``search(Criteria(near=..., radius_miles=25))``, first page;
- the same search over HTTP, ``GET /meetings?near=TOWN&radius=25`` with ``HX-Request: true``;
- one meeting's ``.ics`` (20 different public meetings), and its 304 with ``If-None-Match``;
- the area feed ``/feeds/meetings.ics?near=TOWN&radius=25`` (up to 200 meetings; the "full"
  column counts only towns whose feed holds all 200): from the cache, after a change (every cached
  body stale, unchanged events' bytes remembered), in a new worker (nothing rendered yet), and its 304;
- a bare ``hello`` route registered only on this benchmark app, through the same hooks.

SQLite networks are cached in ``benchmarks/results/`` (git-ignored); a PostgreSQL URL is wiped and
rebuilt for each size. ``python -m benchmarks.worker`` measures a gunicorn worker's memory and start-up.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import select

from benchmarks import synthetic
from recovery_network import create_app
from recovery_network.extensions import db
from recovery_network.feeds.cache import feeds as feed_cache
from recovery_network.feeds.ical import rendered_events
from recovery_network.meetings.models import PUBLIC, Meeting
from recovery_network.meetings.search import Criteria, search
from recovery_network.venues.gazetteer import find_place
from recovery_network.venues.geo import MILES_TO_KM, Point, approx_distance_km
from recovery_network.venues.models import Venue

# Big cities and small towns in all four nations, so the median is neither all-dense nor all-empty.
TOWNS = (
    "London", "Birmingham", "Manchester", "Leeds", "Glasgow", "Edinburgh", "Cardiff", "Belfast",
    "Bristol", "Newcastle upon Tyne", "Norwich", "Plymouth", "Aberdeen", "Inverness", "Perth",
    "Dundee", "Swansea", "Kendal", "Carlisle", "Exeter",
)
RADIUS_MILES = 25
FEED_FULL = 200  # feeds/views.py FEED_LIMIT
HELLO_PATH = "/_bench/hello"
DEFAULT_SIZES = (1000, 10000, 100000)
HTMX = {"HX-Request": "true"}
# Targets from issue 2, "Speed".
SEARCH_TARGET_MS = 15.0
SCALING_TARGET = 2.0
NOT_MODIFIED_TARGET = 1.5
FEED_TARGET_MS = 50.0


@dataclass
class Timing:
    """Samples of one operation, in milliseconds."""

    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this thread's CPU time: less disturbed by other load

    def add(self, seconds: float, cpu_seconds: float) -> None:
        """Record one sample given in seconds (wall and CPU)."""
        self.samples.append(seconds * 1000)
        self.cpu.append(cpu_seconds * 1000)

    def extend(self, other: Timing) -> None:
        """Add another run's samples to these."""
        self.samples += other.samples
        self.cpu += other.cpu

    @property
    def cpu_p50(self) -> float:
        """The median CPU time."""
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def p50(self) -> float:
        """The median."""
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        """The 95th percentile (nearest rank)."""
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)]


@dataclass
class SizeResult:
    """Everything measured on one network."""

    size: int
    venues: int
    public: int
    median_found: float  # meetings within 25 miles, median over the towns
    full_feed_towns: list[str]
    timings: dict[str, Timing]


def bench_app(url: str) -> Flask:
    """The real app on the benchmark database, plus a trivial route to compare a 304 against."""
    app = create_app(synthetic.bench_config(url))
    app.add_url_rule(HELLO_PATH, "bench_hello", lambda: "hello")
    return app


def timed(timing: Timing, call: Callable[[], object]) -> object:
    """Run call once, recording its wall time."""
    start, cpu = time.perf_counter(), time.thread_time()
    result = call()
    timing.add(time.perf_counter() - start, time.thread_time() - cpu)
    return result


def get(client, path: str, headers: dict | None = None, expect: int = 200):
    """A GET through the test client that must answer with the expected status."""
    response = client.get(path, headers=headers or {})
    if response.status_code != expect:
        raise AssertionError(f"GET {path} answered {response.status_code}, expected {expect}")
    return response


def sample_slugs(app: Flask, n: int) -> list[str]:
    """n public meetings spread evenly through the table (by id), for the per-meeting feed."""
    with app.app_context():
        ids = db.session.scalars(select(Meeting.slug).where(Meeting.visibility == PUBLIC).order_by(Meeting.id)).all()
    step = max(1, len(ids) // n)
    return list(ids[::step][:n])


def near_query(town: str) -> str:
    """The query string of a 25-mile search near a town."""
    return urlencode({"near": town, "radius": RADIUS_MILES})


def within_radius(app: Flask, places: dict) -> dict[str, int]:
    """Public meetings within the radius of each town, counted here (not by the code under test)."""
    with app.app_context():
        rows = db.session.execute(
            select(Venue.latitude, Venue.longitude).join(Meeting, Meeting.venue_id == Venue.id)
            .where(Meeting.visibility == PUBLIC)
        ).all()
    found = {}
    for town, place in places.items():
        centre = place.point
        found[town] = sum(1 for lat, lon in rows if approx_distance_km(centre, Point(lat, lon)) <= RADIUS_MILES * MILES_TO_KM)
    return found


def measure(app: Flask, size: int, repeat: int, now: datetime, feeds: bool = True) -> SizeResult:
    """Time every operation on one network; the first round of each is a warm-up and not counted."""
    counts = synthetic.counts(app)
    places = {town: find_place(town) for town in TOWNS}
    missing = [town for town, place in places.items() if place is None]
    if missing:
        raise SystemExit(f"gazetteer does not know {missing}")
    slugs = sample_slugs(app, len(TOWNS))
    timings = {name: Timing() for name in (
        "search", "search_http", "ics", "ics_304", "feed", "feed_full", "feed_cold", "feed_fresh", "feed_304", "hello")}
    found = within_radius(app, places)
    full_feed_towns: list[str] = []
    client = app.test_client()

    for round_ in range(repeat + 1):
        scratch = {name: Timing() for name in timings}
        with app.app_context():
            for town, place in places.items():
                timed(scratch["search"], lambda: search(Criteria(near=place.point, radius_miles=RADIUS_MILES), now=now))
                db.session.remove()  # a fresh session per search, as per request: no identity-map reuse
        for town in TOWNS:
            timed(scratch["search_http"], lambda: get(client, f"/meetings?{near_query(town)}", HTMX))
        if round_:
            timings["search"].extend(scratch["search"])
            timings["search_http"].extend(scratch["search_http"])

    for round_ in range(repeat + 1 if feeds else 0):
        scratch = {name: Timing() for name in timings}
        for town in TOWNS:
            query = near_query(town)
            for name, forget in (("feed_fresh", rendered_events.clear), ("feed_cold", lambda: None)):
                # Fresh: a new worker, nothing rendered. Cold: the first render after a change, when every
                # cached body is stale at once but the unchanged events' bytes are still remembered.
                feed_cache.clear()
                forget()
                cold = timed(scratch[name], lambda: get(client, f"/feeds/meetings.ics?{query}"))
                if cold.data.count(b"BEGIN:VEVENT") < FEED_FULL:
                    scratch[name].samples.pop(), scratch[name].cpu.pop()  # only full feeds count
            feed = timed(scratch["feed"], lambda: get(client, f"/feeds/meetings.ics?{query}"))
            if feed.data.count(b"BEGIN:VEVENT") >= FEED_FULL:
                scratch["feed_full"].add(scratch["feed"].samples[-1] / 1000, scratch["feed"].cpu[-1] / 1000)
                if not round_:
                    full_feed_towns.append(town)
            timed(scratch["feed_304"], lambda: get(
                client, f"/feeds/meetings.ics?{query}", {"If-None-Match": feed.headers["ETag"]}, expect=304))
        for slug in slugs:
            ics = timed(scratch["ics"], lambda: get(client, f"/meetings/{slug}.ics"))
            timed(scratch["ics_304"], lambda: get(
                client, f"/meetings/{slug}.ics", {"If-None-Match": ics.headers["ETag"]}, expect=304))
            timed(scratch["hello"], lambda: get(client, HELLO_PATH))
        if round_:
            for name, timing in scratch.items():
                if name not in ("search", "search_http"):
                    timings[name].extend(timing)

    return SizeResult(
        size=size, venues=counts["venues"], public=counts["public"],
        median_found=statistics.median(found.values()), full_feed_towns=full_feed_towns, timings=timings,
    )


def machine() -> str:
    """One line about where the figures came from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    import sqlalchemy

    return (f"{cpu}; Python {platform.python_version()}; SQLAlchemy {sqlalchemy.__version__}; "
            f"SQLite {sqlite3.sqlite_version}; {platform.system()} {platform.release()}")


def load_average() -> str:
    """The 1-minute load average: on a small machine, anything else running shows in the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def fmt(ms: float) -> str:
    """Milliseconds to one decimal place."""
    return f"{ms:.1f}"


def report(results: list[SizeResult], database: str, repeat: int) -> str:
    """The markdown the README quotes: two tables and the targets."""
    lines = [
        f"Database: {database}; {repeat} rounds × {len(TOWNS)} towns per figure; radius {RADIUS_MILES} miles; "
        "times in ms (p50 / p95).",
        "",
        "| meetings | venues | found (median) | search() | search() CPU p50 | GET /meetings (htmx) | GET CPU p50 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        t = r.timings
        lines.append(
            f"| {r.size:,} | {r.venues:,} | {r.median_found:,.0f} | {fmt(t['search'].p50)} / {fmt(t['search'].p95)} "
            f"| {fmt(t['search'].cpu_p50)} | {fmt(t['search_http'].p50)} / {fmt(t['search_http'].p95)} "
            f"| {fmt(t['search_http'].cpu_p50)} |"
        )
    if not any(r.timings["hello"].samples for r in results):
        return "\n".join([*lines, "", *targets(results)])
    lines += [
        "",
        "| meetings | meeting .ics | .ics 304 | area feed | full feed (200) | full feed, after a change | full feed, new worker | feed 304 | hello route |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        t = r.timings
        full = f"{fmt(t['feed_full'].p50)} / {fmt(t['feed_full'].p95)} ({len(r.full_feed_towns)} towns)" \
            if t["feed_full"].samples else "—"
        cold, fresh = (f"{fmt(t[n].p50)} / {fmt(t[n].p95)}" if t[n].samples else "—" for n in ("feed_cold", "feed_fresh"))
        lines.append(
            f"| {r.size:,} | {fmt(t['ics'].p50)} / {fmt(t['ics'].p95)} | {fmt(t['ics_304'].p50)} / {fmt(t['ics_304'].p95)} "
            f"| {fmt(t['feed'].p50)} / {fmt(t['feed'].p95)} | {full} | {cold} | {fresh} | {fmt(t['feed_304'].p50)} / {fmt(t['feed_304'].p95)} "
            f"| {fmt(t['hello'].p50)} / {fmt(t['hello'].p95)} |"
        )
    lines += ["", *targets(results)]
    return "\n".join(lines)


def targets(results: list[SizeResult]) -> list[str]:
    """Each target of issue 2 that these sizes can decide, met or not."""
    by_size = {r.size: r for r in results}
    checks = []

    def check(label: str, ok: bool, detail: str) -> None:
        checks.append(f"- {'met' if ok else '**not met**'}: {label} ({detail})")

    if 10000 in by_size:
        t = by_size[10000].timings
        for name, label in (("search", "search()"), ("search_http", "GET /meetings")):
            check(f"median {label} under {SEARCH_TARGET_MS:g} ms at 10,000", t[name].p50 < SEARCH_TARGET_MS,
                  f"{fmt(t[name].p50)} ms")
        if t["feed_full"].samples:
            check(f"200-meeting feed under {FEED_TARGET_MS:g} ms at 10,000, cached", t["feed_full"].p50 < FEED_TARGET_MS,
                  f"{fmt(t['feed_full'].p50)} ms")
        for name, when in (("feed_cold", "first render after a change"), ("feed_fresh", "in a new worker")):
            if t[name].samples:
                check(f"200-meeting feed under {FEED_TARGET_MS:g} ms at 10,000, {when}",
                      t[name].p50 < FEED_TARGET_MS, f"{fmt(t[name].p50)} ms")
    if 1000 in by_size and 100000 in by_size:
        for name, label in (("search", "search()"), ("search_http", "GET /meetings")):
            small, big = by_size[1000].timings[name].p50, by_size[100000].timings[name].p50
            check(f"{label} at 100,000 within {SCALING_TARGET:g}× of 1,000", big <= SCALING_TARGET * small,
                  f"{fmt(big)} / {fmt(small)} = {big / small:.2f}×")
    for r in results:
        if not r.timings["hello"].samples:
            continue
        hello = r.timings["hello"].p50
        ratios = ", ".join(f"{label} 304 {r.timings[name].p50 / hello:.1f}×" for name, label in (
            ("ics_304", "meeting .ics"), ("feed_304", "area feed")))
        checks.append(f"- in-process at {r.size:,}, against hello: {ratios} "
                      f"(the {NOT_MODIFIED_TARGET:g}× target is judged under gunicorn: `python -m benchmarks.worker`)")
    return checks


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) each network, time it, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=10, help="rounds over the 20 towns (default 10: 200 searches)")
    parser.add_argument("--database-url", help="PostgreSQL URL to wipe and use instead of cached SQLite files")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached SQLite networks")
    parser.add_argument("--search-only", action="store_true", help="skip the .ics and feed timings")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    load_before = load_average()
    results = []
    for size in args.sizes:
        started = time.perf_counter()
        if args.database_url:
            synthetic.build(args.database_url, size, now, reset_postgres=True)
            url = args.database_url
        else:
            url = f"sqlite:///{synthetic.ensure_sqlite(size, now, rebuild=args.rebuild)}"
        print(f"{size:,} meetings ready in {time.perf_counter() - started:.1f} s; timing…", file=sys.stderr)
        app = bench_app(url)
        gc.collect()
        results.append(measure(app, size, args.repeat, now, feeds=not args.search_only))
        with app.app_context():
            db.engine.dispose()
    database = "PostgreSQL" if args.database_url else "SQLite (file, benchmarks/results/)"
    print(f"Machine: {machine()}; load average before/after: {load_before} / {load_average()}\n")
    print(report(results, database, args.repeat))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
