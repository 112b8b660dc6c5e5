"""What the benchmarks measured, as the tables and target lines the READMEs quote."""

from __future__ import annotations

import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path

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


def report(results: list[SizeResult], database: str, repeat: int, towns: int, radius: float) -> str:
    """The markdown the README quotes: two tables and the targets."""
    lines = [
        f"Database: {database}; {repeat} rounds × {towns} towns per figure; radius {radius} miles; "
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
        change, cold = (f"{fmt(t[n].p50)} / {fmt(t[n].p95)}" if t[n].samples else "—" for n in ("feed_change", "feed_cold"))
        lines.append(
            f"| {r.size:,} | {fmt(t['ics'].p50)} / {fmt(t['ics'].p95)} | {fmt(t['ics_304'].p50)} / {fmt(t['ics_304'].p95)} "
            f"| {fmt(t['feed'].p50)} / {fmt(t['feed'].p95)} | {full} | {change} | {cold} | {fmt(t['feed_304'].p50)} / {fmt(t['feed_304'].p95)} "
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
        for name, when in (("feed_change", "first render after a change"), ("feed_cold", "in a new worker")):
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
