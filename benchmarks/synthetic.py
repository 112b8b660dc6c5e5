"""Synthetic networks across the UK, for timing: venues where people live, meetings at them, a few cancellations.

Venues are scattered over the shipped GeoNames places (``recovery_network/data/gb_places.tsv``),
chosen with probability proportional to population and jittered by a distance that grows with
the place (a village spreads over half a kilometre, London over about fifteen), so a city has
many venues spread across it rather than stacked on one point. About one venue per 2.5
meetings; 5% of venues are prisons whose meetings are custody-only; 2% of meetings are
online-only; 5% have their next occurrence cancelled. Everything is drawn from one seeded
``random.Random``, so a size always gives the same network.

The schema is built by the migrations, as in production; rows go in with SQLAlchemy Core
``insert()`` (``create_meeting`` is correct but far too slow for 100,000 rows), honouring the
models' check constraints.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from flask import Flask
from sqlalchemy import func, insert, select, text

from recovery_network import create_app
from recovery_network.extensions import db
from recovery_network.meetings.kinds import KINDS
from recovery_network.meetings.models import CUSTODY, PUBLIC, Meeting, MeetingChange
from recovery_network.meetings.recurrence import Schedule, next_occurrences
from recovery_network.meetings.services import slugify
from recovery_network.venues.gazetteer import PLACES_FILE
from recovery_network.venues.models import COMMUNITY, Area, Venue
from recovery_network.venues.models import CUSTODY as CUSTODY_SETTING

# Bump when the shape of the generated data changes, so cached databases are rebuilt.
GENERATOR_VERSION = 1
SEED = 2026
RESULTS_DIR = Path(__file__).resolve().parent / "results"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "versions"
MEETINGS_PER_VENUE = 2.5
CUSTODY_SHARE = 0.05
ONLINE_ONLY_SHARE = 0.02
CANCELLED_SHARE = 0.05
MIN_WEIGHT = 100  # A place with no recorded population can still have a venue, rarely.
KM_PER_DEGREE_LAT = 111.2
START_TIMES = [time(10, 0), time(10, 30), time(11, 0), time(12, 0), time(13, 30), time(14, 0),
               time(18, 0), time(18, 30), time(19, 0), time(19, 30)]
FREQUENCIES = [("weekly", 0.75), ("fortnightly", 0.15), ("monthly", 0.10)]
KIND_WEIGHTS = {"smart": 0.60, "cafe": 0.20, "family": 0.15, "programme": 0.05}
CHUNK = 5000


@dataclass(frozen=True)
class GazetteerPlace:
    """One row of the shipped places file: enough to put venues near it."""

    name: str
    region: str
    latitude: float
    longitude: float
    population: int


def gazetteer_places() -> list[GazetteerPlace]:
    """Every place in the shipped gazetteer file (header and provenance lines skipped)."""
    rows = []
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines()[2:]:
        if not line or line.startswith("#"):
            continue
        name, region, lat, lon, pop, _alternates = line.split("\t")
        rows.append(GazetteerPlace(name, region, float(lat), float(lon), int(pop)))
    return rows


def spread_km(population: int) -> float:
    """How far (one standard deviation) venues stray from a place's centre: ~0.5 km for a village, ~15 km for London."""
    return max(0.5, 0.005 * math.sqrt(population))


def jitter(rng: random.Random, place: GazetteerPlace) -> tuple[float, float]:
    """A position near the place, Gaussian with its spread, cut off at two spreads."""
    sigma = spread_km(place.population)
    while True:
        dx, dy = rng.gauss(0, sigma), rng.gauss(0, sigma)
        if dx * dx + dy * dy <= (2 * sigma) ** 2:
            break
    lat = place.latitude + dy / KM_PER_DEGREE_LAT
    lon = place.longitude + dx / (KM_PER_DEGREE_LAT * math.cos(math.radians(place.latitude)))
    return round(lat, 6), round(lon, 6)


def _weighted(rng: random.Random, pairs) -> str:
    """One value from (value, weight) pairs."""
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Network:
    """Rows ready for Core inserts."""

    areas: list[dict]
    venues: list[dict]
    meetings: list[dict]
    changes: list[dict]


def generate(size: int, now: datetime, seed: int = SEED) -> Network:
    """A network of `size` meeting series (public and custody), deterministic for a given size and seed."""
    rng = random.Random(f"{seed}:{size}")
    places = gazetteer_places()
    regions = sorted({p.region for p in places})
    area_ids = {region: n for n, region in enumerate(regions, start=1)}
    stamp = now.replace(microsecond=0)
    areas = [{"id": area_ids[r], "slug": slugify(r), "name": r} for r in regions]

    venue_count = max(1, round(size / MEETINGS_PER_VENUE))
    chosen = rng.choices(places, weights=[max(p.population, MIN_WEIGHT) for p in places], k=venue_count)
    venues = []
    for n, place in enumerate(chosen, start=1):
        custody = rng.random() < CUSTODY_SHARE
        lat, lon = jitter(rng, place)
        venues.append({
            "id": n,
            "slug": f"{slugify(place.name)}-{n}",
            "name": f"HMP {place.name}" if custody else f"{place.name} Community Hall",
            "setting": CUSTODY_SETTING if custody else COMMUNITY,
            "area_id": area_ids[place.region],
            "address": f"{rng.randint(1, 200)} High Street",
            "town": place.name,
            "postcode": "",
            "latitude": lat,
            "longitude": lon,
            "step_free": rng.random() < 0.6,
            "accessibility": "",
            "directions": "",
            "created_at": stamp,
            "updated_at": stamp,
        })

    kinds = {k.code: k for k in KINDS}
    meetings, changes = [], []
    for n in range(1, size + 1):
        online_only = rng.random() < ONLINE_ONLY_SHARE
        venue = None if online_only else rng.choice(venues)
        custody = venue is not None and venue["setting"] == CUSTODY_SETTING
        kind = _weighted(rng, KIND_WEIGHTS.items())
        frequency = _weighted(rng, FREQUENCIES)
        weekday = rng.randrange(7)
        start_time = rng.choice(START_TIMES)
        town = venue["town"] if venue else "Online"
        title = f"{town} {kinds[kind].name}"[:120]
        meeting = {
            "id": n,
            "slug": f"{slugify(title)[:70]}-{n}",
            "title": title,
            "kind": kind,
            "visibility": CUSTODY if custody else PUBLIC,
            "status": "active",
            "venue_id": venue["id"] if venue else None,
            "online_url": f"https://meet.example.org/m{n}" if online_only else None,
            "description": "Tea and coffee from fifteen minutes before. New people are always welcome.",
            "frequency": frequency,
            "weekday": weekday,
            "week_of_month": rng.choice((1, 2, 3, 4, -1)) if frequency == "monthly" else None,
            "starts_on": date(2024, 1, 1) + timedelta(days=rng.randrange(900)),
            "ends_on": None,
            "session_count": None,
            "finishes_on": None,
            "start_time": start_time,
            "duration_minutes": 180 if kind == "cafe" else 90,
            "timezone": "Europe/London",
            "sequence": 0,
            "created_at": stamp,
            "updated_at": stamp,
        }
        meetings.append(meeting)
        if rng.random() < CANCELLED_SHARE:
            changes.append(_cancellation(meeting, now, len(changes) + 1, stamp))
    return Network(areas, venues, meetings, [c for c in changes if c])


def _cancellation(meeting: dict, now: datetime, change_id: int, stamp: datetime) -> dict | None:
    """Cancel the meeting's next occurrence, as facilitators do for a closed hall."""
    schedule = Schedule(
        frequency=meeting["frequency"], weekday=meeting["weekday"], week_of_month=meeting["week_of_month"],
        starts_on=meeting["starts_on"], start_time=meeting["start_time"],
        duration=timedelta(minutes=meeting["duration_minutes"]), timezone=meeting["timezone"],
    )
    upcoming = next_occurrences(schedule, {}, now, count=1)
    if not upcoming:
        return None
    return {
        "id": change_id, "meeting_id": meeting["id"], "original_date": upcoming[0].original_start.date(),
        "kind": "cancelled", "reason": "Hall closed this week.", "new_start": None, "new_venue_id": None,
        "sequence": 0, "created_at": stamp, "updated_at": stamp,
    }


# Production refuses to start without a public address and trusted hosts; the benchmarks serve 127.0.0.1.
BENCH_SITE = {"SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": ["127.0.0.1", "localhost"]}


def bench_config(url: str) -> dict:
    """Settings for an app on a benchmark database: production-like (not TESTING, not DEBUG)."""
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_urlsafe(48), **BENCH_SITE}


def schema_key() -> str:
    """A short digest of the migration scripts: a cached database built by other migrations is stale."""
    digest = hashlib.sha256()
    for script in sorted(MIGRATIONS_DIR.glob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return digest.hexdigest()[:10]


def sqlite_path(size: int) -> Path:
    """Where the SQLite network of this size is cached (benchmarks/results/ is git-ignored)."""
    return RESULTS_DIR / f"network-{size}-v{GENERATOR_VERSION}-s{SEED}-{schema_key()}.sqlite3"


def sqlite_url(size: int) -> str:
    """SQLAlchemy URL of the cached SQLite network of this size."""
    return f"sqlite:///{sqlite_path(size)}"


def build(url: str, size: int, now: datetime, *, reset_postgres: bool = False) -> Flask:
    """Build the schema by migrations and insert a network of `size` meetings; returns the app bound to it."""
    from flask_migrate import upgrade

    app = create_app(bench_config(url))
    network = generate(size, now)
    with app.app_context():
        if reset_postgres:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        with db.engine.begin() as conn:
            for model, rows in ((Area, network.areas), (Venue, network.venues),
                                (Meeting, network.meetings), (MeetingChange, network.changes)):
                for start in range(0, len(rows), CHUNK):
                    conn.execute(insert(model.__table__), rows[start:start + CHUNK])
            if conn.dialect.name == "postgresql":
                # Explicit ids were inserted; move the sequences past them so the app can add rows.
                for table in ("areas", "venues", "meetings", "meeting_changes"):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    ))
        with db.engine.connect() as conn:
            # Autovacuum would do this soon after a real bulk load; the planner needs it to pick indexes.
            if conn.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
                conn.commit()
        db.engine.dispose()
    return app


def ensure_sqlite(size: int, now: datetime, *, rebuild: bool = False) -> Path:
    """The cached SQLite network of this size, built first if missing (or if asked)."""
    path = sqlite_path(size)
    if path.exists() and not rebuild:
        return path
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    build(f"sqlite:///{partial}", size, now)
    for stale in RESULTS_DIR.glob(f"network-{size}-*.sqlite3"):
        stale.unlink()
    partial.replace(path)
    return path


def counts(app: Flask) -> dict[str, int]:
    """Rows per table, to print beside the timings."""
    with app.app_context():
        return {
            "venues": db.session.scalar(select(func.count()).select_from(Venue)),
            "meetings": db.session.scalar(select(func.count()).select_from(Meeting)),
            "public": db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.visibility == PUBLIC)),
        }


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:] or ["1000"]:
        print(ensure_sqlite(int(arg), datetime.now(timezone.utc), rebuild=True))
