"""The rota page at 10,000 meetings: a volunteer's openings, in-process and over HTTP.

    python -m benchmarks.rota [--size 10000] [--runs 3] [--seconds 3]

Copies the cached SQLite network of that size (benchmarks/synthetic.py: every series needs a facilitator)
and adds one approved volunteer, trained as a facilitator and a peer mentor and cleared for three prisons.
In-process it times `rota.queries.openings` for the whole month (what the page did before it was paginated:
every series needing helpers expanded over 28 days) and for the first page (40 openings and a look at the
41st). Over HTTP it serves the copy with ``gunicorn -w 2`` (as benchmarks/pages.py does), logs the volunteer in
through the form, and runs wrk on ``/rota/`` with their session cookie, each run right after one on hello.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import synthetic
from benchmarks.pages import Target, start, synthetic_port, wrk
from benchmarks.report import load_average, machine
from benchmarks.search import HELLO_PATH, bench_app

PASSWORD = "rota-benchmark-password-1234"
EMAIL = "volunteer@bench.invalid"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def add_volunteer(url: str, now: datetime) -> None:
    """One approved facilitator and peer mentor with verified training, cleared for three prisons."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from recovery_network.accounts.models import ACTIVE, Person, PersonRole
    from recovery_network.extensions import db
    from recovery_network.mentors.models import Clearance, Course, TrainingRecord
    from recovery_network.venues.models import CUSTODY, Venue

    app = bench_app(url)
    with app.app_context():
        today = now.date()
        verifier = Person(email="verifier@bench.invalid", first_name="Verity", last_initial="B", status=ACTIVE,
                          password_hash=generate_password_hash(PASSWORD), roles=[PersonRole(role="coordinator")])
        person = Person(email=EMAIL, first_name="Robin", last_initial="B", status=ACTIVE,
                        password_hash=generate_password_hash(PASSWORD),
                        roles=[PersonRole(role="facilitator"), PersonRole(role="peer_mentor")])
        db.session.add_all([verifier, person])
        db.session.flush()
        for role in ("facilitator", "peer_mentor"):
            course = Course(code=role[:3].upper(), name=f"{role} training", qualifies_for=role)
            db.session.add(TrainingRecord(person=person, course=course, completed_on=today - timedelta(days=30),
                                          status="verified", verified_by_id=verifier.id, verified_at=now))
        for prison in db.session.scalars(select(Venue).where(Venue.setting == CUSTODY).order_by(Venue.id).limit(3)):
            db.session.add(Clearance(person=person, venue=prison, status="approved",
                                     valid_from=today - timedelta(days=10)))
        db.session.commit()
        db.engine.dispose()


def in_process(url: str, now: datetime, runs: int) -> dict[str, list[float]]:
    """Milliseconds for the whole month's openings and for the first page's, `runs` times each, in turns."""
    from sqlalchemy import or_, select
    from sqlalchemy.orm import selectinload

    from recovery_network.accounts.models import Person
    from recovery_network.extensions import db
    from recovery_network.meetings.models import ACTIVE, Meeting
    from recovery_network.rota import queries

    app = bench_app(url)
    times: dict[str, list[float]] = {"whole month (before)": [], "first page (now)": []}
    counts = {}
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == EMAIL))
        for _ in range(runs):
            db.session.expire_all()
            began = time.perf_counter()
            # What the page did before: every active series that needs helpers, expanded over the month.
            staffed = db.session.scalars(select(Meeting).where(
                Meeting.status == ACTIVE, or_(Meeting.facilitators_needed > 0, Meeting.mentors_needed > 0))
                .options(selectinload(Meeting.venue), selectinload(Meeting.changes))).all()
            counts["whole month (before)"] = len(queries.places(staffed, now, now + timedelta(days=28)))
            times["whole month (before)"].append((time.perf_counter() - began) * 1000)
            db.session.expire_all()
            began = time.perf_counter()
            counts["first page (now)"] = len(queries.openings(person, now, limit=queries.PAGE_SIZE + 1))
            times["first page (now)"].append((time.perf_counter() - began) * 1000)
        db.engine.dispose()
    print(f"places expanded before: {counts['whole month (before)']:,}; the page now finds the first "
          f"{counts['first page (now)'] - 1} openings (and one more, for 'more')")
    return times


def log_in(port: int) -> str:
    """The volunteer's session cookie, from the real login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/account/login", headers={"Host": "127.0.0.1"})
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    token = TOKEN.search(page.read().decode()).group(1)
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/account/login", body=body, headers={
        "Host": "127.0.0.1", "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    answer.read()
    session = answer.getheader("Set-Cookie", "").split(";", 1)[0]
    conn.close()
    if answer.status != 302 or not session:
        raise SystemExit(f"login failed: {answer.status}")
    return session


def check_page(port: int, cookie: str) -> None:
    """The logged-in rota page answers 200 with openings on it, before anything is timed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    began = time.perf_counter()
    conn.request("GET", "/rota/", headers={"Host": "127.0.0.1", "Cookie": cookie})
    answer = conn.getresponse()
    body = answer.read().decode()
    conn.close()
    widgets = body.count('class="signup"')
    if answer.status != 200 or not widgets:
        raise SystemExit(f"/rota/ answered {answer.status} without openings")
    print(f"/rota/ answered with {widgets} sign-up widgets in "
          f"{(time.perf_counter() - began) * 1000:,.0f} ms", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Copy the network, add the volunteer, time in-process, then serve and time over HTTP; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        raise SystemExit("wrk and redis-server are needed (Debian: apt-get install wrk redis-server)")
    print(f"{machine()}; load before: {load_average()}", flush=True)
    now = datetime.now(timezone.utc)
    folder = Path(tempfile.mkdtemp(prefix="rn-rota-"))
    copy = folder / "network.sqlite3"
    shutil.copyfile(synthetic.ensure_sqlite(args.size, now), copy)
    url = f"sqlite:///{copy}"
    add_volunteer(url, now)
    local = in_process(url, now, args.runs)
    for name, values in local.items():
        print(f"{name}: {', '.join(f'{v:,.0f}' for v in values)} ms", flush=True)

    redis_port = synthetic_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = {"FLASK_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0",
           "FLASK_SESSION_COOKIE_SECURE": "false", "FLASK_REMEMBER_COOKIE_SECURE": "false"}
    script = folder / "bench.lua"
    from benchmarks.pages import WRK_SCRIPT

    script.write_text(WRK_SCRIPT)
    results: list[tuple[float, float, float, float, int]] = []
    try:
        port = synthetic_port()
        process = start(url, port, env, folder / "gunicorn.log")
        try:
            cookie = log_in(port)
            check_page(port, cookie)
            hello, rota = Target("hello", [HELLO_PATH], {}), Target("/rota/", ["/rota/"], {"Cookie": cookie})
            for _ in range(args.runs):
                before = wrk(port, hello, args.seconds, args.connections, script)
                page = wrk(port, rota, args.seconds, args.connections, script)
                ratio = page.rps / before.rps if before.rps else float("nan")  # hello may finish none when loaded
                results.append((page.rps, ratio, page.p50, page.p95, page.errors))
        finally:
            process.terminate()
            process.wait(timeout=20)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n### The rota page at {args.size:,} meetings (a facilitator and peer mentor cleared for 3 prisons)\n")
    print("| in-process `openings` | ms (median; other runs) |\n| --- | ---: |")
    for name, values in local.items():
        print(f"| {name} | {statistics.median(values):,.0f}; {', '.join(f'{v:,.0f}' for v in others(values))} |")
    ordered = sorted(results, key=lambda r: r[0])
    middle = ordered[len(ordered) // 2]
    print("\n| over HTTP, `gunicorn -w 2`, wrk -c4 | requests/s (median; others) | × hello | p50 ms | p95 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| GET /rota/ (logged in) | {middle[0]:,.1f}; {', '.join(f'{r[0]:,.1f}' for r in results if r is not middle)} "
          f"| {middle[1]:.3f} | {middle[2]:.0f} | {middle[3]:.0f} | {sum(r[4] for r in results)} |")
    print(f"\nload after: {load_average()}")
    return 0


def others(values: list[float]) -> list[float]:
    """The values other than the median's, in run order."""
    rest = list(values)
    rest.remove(statistics.median_low(values))
    return rest


if __name__ == "__main__":
    sys.exit(main())
