"""Time `flask import-meetings` on a generated Meeting Guide feed of 10,000 meetings (the target: under a minute).

    python -m benchmarks.import_bench [--size 10000] [--database-url URL]

The feed is spread over the shipped gazetteer's places, about 2.5 meetings a venue, and written as JSON.
Half the venues give latitude and longitude, a quarter only a town and a quarter only a postcode district
(so both gazetteer paths are timed); 3% of meetings are online-only and 5% list two days. The schema is built
by the migrations on an empty database (a throwaway SQLite file unless a PostgreSQL URL is given, which is
wiped). It times, through the real CLI command: the first import, the same feed again (idempotent: nothing
created or changed) and a dry run.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time as clock
from pathlib import Path

from sqlalchemy import func, select, text

from benchmarks.synthetic import SEED, bench_config, gazetteer_places, jitter
from recovery_network import create_app
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.venues.gazetteer import DISTRICTS_FILE

KINDS = (["SMART"], ["SMART-FF"], ["RN-CAFE"], ["SMART", "X"], ["O", "D"])
TIMES = ("10:00", "11:30", "13:00", "18:00", "18:30", "19:00", "19:30")


def districts() -> list[tuple[str, str]]:
    """(district, town) pairs from the shipped postcode district file."""
    rows = DISTRICTS_FILE.read_text(encoding="utf-8").splitlines()[2:]
    return [(r.split("\t")[0], r.split("\t")[1]) for r in rows if r and not r.startswith("#")]


def generate_feed(size: int, seed: int = SEED) -> list[dict]:
    """A Meeting Guide feed of `size` records, the same for the same seed."""
    rng = random.Random(seed)
    places = gazetteer_places()
    weights = [max(p.population, 100) for p in places]
    codes = districts()
    venues: list[dict] = []
    for n in range(max(1, int(size / 2.5))):
        place = rng.choices(places, weights=weights)[0]
        venue = {"location": f"Hall {n}", "address": f"{n} High Street", "country": "GB"}
        style = rng.random()
        if style < 0.5:
            venue["latitude"], venue["longitude"] = jitter(rng, place)
            venue["city"] = place.name
        elif style < 0.75:
            venue["city"] = place.name
        else:
            district, town = rng.choice(codes)
            venue["postal_code"], venue["city"] = f"{district} 1AA", town
        venues.append(venue)
    feed = []
    for n in range(size):
        record = {
            "name": f"Meeting {n}", "slug": f"meeting-{n}", "day": rng.randrange(7), "time": rng.choice(TIMES),
            "end_time": "21:00", "types": rng.choice(KINDS), "notes": "Come early.",
        }
        if rng.random() < 0.05:
            record["day"] = rng.sample(range(7), 2)
        if rng.random() < 0.03:
            record.update(conference_url=f"https://meet.example.org/{n}", approximate="yes")
        else:
            record.update(rng.choice(venues))
        feed.append(record)
    return feed


def timed(runner, args: list[str]) -> tuple[float, str]:
    """Run the CLI command; seconds taken and its last line of output."""
    start = clock.perf_counter()
    result = runner.invoke(args=args)
    elapsed = clock.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"import failed: {result.output[-2000:]}")
    return elapsed, result.output.strip().splitlines()[-1]


def main() -> None:
    """Generate, import three ways, and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        feed_path = Path(folder) / "feed.json"
        feed_path.write_text(json.dumps(generate_feed(args.size)), encoding="utf-8")
        url = args.database_url or f"sqlite:///{Path(folder) / 'import.sqlite3'}"
        app = create_app(bench_config(url))
        from flask_migrate import upgrade

        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            upgrade()
        runner = app.test_cli_runner()
        base = ["import-meetings", str(feed_path), "--area", "bench", "--area-name", "Benchmark", "--skip-invalid"]
        first, first_out = timed(runner, base)
        again, again_out = timed(runner, base)
        dry, _ = timed(runner, [*base, "--dry-run"])
        with app.app_context():
            series = db.session.scalar(select(func.count(Meeting.id)))
            db.engine.dispose()
    print(f"{args.size} records ({series} series) on {url.split(':')[0]}")
    print(f"  first import  {first:6.2f} s  {args.size / first:8.0f} records/s  | {first_out}")
    print(f"  re-import     {again:6.2f} s  {args.size / again:8.0f} records/s  | {again_out}")
    print(f"  dry run       {dry:6.2f} s  {args.size / dry:8.0f} records/s")


if __name__ == "__main__":
    main()
