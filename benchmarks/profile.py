"""Profile one benchmarked request on a synthetic network, to see where its time goes.

    python -m benchmarks.profile search --size 10000          # GET /meetings?near=…&radius=25 (htmx)
    python -m benchmarks.profile feed --size 10000            # GET /feeds/meetings.ics?near=…&radius=25
    python -m benchmarks.profile feed-cold | feed-change | feed-304 | ics | ics-304 | service   (feed-cold: as in a new worker)

Uses pyinstrument when it is installed (``pip install pyinstrument``; not a project dependency),
else cProfile sorted by cumulative time. Each run repeats the request over the 20 benchmark towns
(or 20 meetings) after one warm-up round.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from datetime import datetime, timezone

from benchmarks import synthetic
from benchmarks.search import HTMX, RADIUS_MILES, TOWNS, bench_app, near_query, sample_slugs, stale_feeds
from recovery_network.extensions import db
from recovery_network.meetings.search import Criteria, search
from recovery_network.venues.gazetteer import find_place

TARGETS = ("search", "service", "feed", "feed-cold", "feed-change", "feed-304", "ics", "ics-304", "hello")


def workload(app, target: str, now: datetime):
    """A function that performs one round of the chosen request."""
    client = app.test_client()
    queries = [near_query(town) for town in TOWNS]
    slugs = sample_slugs(app, len(TOWNS))
    if target == "service":
        points = [find_place(town).point for town in TOWNS]

        def run() -> None:
            with app.app_context():
                for point in points:
                    search(Criteria(near=point, radius_miles=RADIUS_MILES), now=now)
                    db.session.remove()
        return run
    if target == "search":
        return lambda: [client.get(f"/meetings?{q}", headers=HTMX) for q in queries]
    if target == "feed":
        return lambda: [client.get(f"/feeds/meetings.ics?{q}") for q in queries]
    if target in ("feed-change", "feed-cold"):
        # After a change every cached body is stale, but unchanged events stay rendered; a new worker
        # (feed-cold) has rendered nothing yet.
        new_worker = target == "feed-cold"

        def rerender() -> None:
            for q in queries:
                stale_feeds(new_worker=new_worker)
                client.get(f"/feeds/meetings.ics?{q}")
        return rerender
    if target == "feed-304":
        tags = {q: client.get(f"/feeds/meetings.ics?{q}").headers["ETag"] for q in queries}
        return lambda: [client.get(f"/feeds/meetings.ics?{q}", headers={"If-None-Match": tags[q]}) for q in queries]
    if target == "ics":
        return lambda: [client.get(f"/meetings/{s}.ics") for s in slugs]
    if target == "ics-304":
        tags = {s: client.get(f"/meetings/{s}.ics").headers["ETag"] for s in slugs}
        return lambda: [client.get(f"/meetings/{s}.ics", headers={"If-None-Match": tags[s]}) for s in slugs]
    return lambda: [client.get("/_bench/hello") for _ in slugs]


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the network, warm up, then profile a few rounds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true", help="use cProfile even if pyinstrument is installed")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    app = bench_app(f"sqlite:///{synthetic.ensure_sqlite(args.size, now)}")
    run = workload(app, args.target, now)
    run()  # warm-up: gazetteer, templates, statement cache
    try:
        if args.cprofile:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            run()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.rounds):
        run()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
