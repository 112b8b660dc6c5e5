"""A mixed load on two app nodes, one PostgreSQL and one Redis: the figures in README "Running more than one node".

    python -m benchmarks.mixed --database-url postgresql+psycopg://postgres@127.0.0.1:5432/load [--users 40]
           [--seconds 60]

The database is wiped and given the 10,000-meeting network (synthetic.py) plus 40 trained peer mentors
and 10 series that need them. A private redis-server holds the login limits and the kept pages. Two
gunicorn nodes (2 workers each, the production gunicorn.conf.py) serve it on loopback ports, and locust
(benchmarks/locustfile.py, headless, bounded by --seconds) runs visitors searching and reading meetings,
calendar apps polling feeds (mostly 304) and logged-in volunteers on the rota, spread over both nodes.
Cookies are not Secure here (plain http on loopback; in production TLS ends at the proxy).
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks import synthetic
from benchmarks.report import load_average, machine

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = secrets.token_urlsafe(12)
VOLUNTEERS = 40
ROTA_MEETINGS = 10


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(url: str, folder: Path) -> tuple[Path, Path]:
    """The network, volunteers and rota series; writes the slug and volunteer files locust reads."""
    from sqlalchemy import select, update
    from werkzeug.security import generate_password_hash

    from recovery_network.accounts.models import ACTIVE, Person, PersonRole
    from recovery_network.extensions import db
    from recovery_network.meetings.models import PUBLIC, Meeting
    from recovery_network.meetings.recurrence import next_occurrences
    from recovery_network.mentors.models import Course, TrainingRecord
    from recovery_network.types import utcnow

    now = datetime.now(timezone.utc)
    app = synthetic.build(url, 10000, now, reset_postgres=True)
    with app.app_context():
        slugs = db.session.scalars(select(Meeting.slug).where(Meeting.visibility == PUBLIC).order_by(Meeting.id)
                                   .limit(2000)).all()
        rota = db.session.scalars(select(Meeting).where(Meeting.visibility == PUBLIC, Meeting.status == "active")
                                  .order_by(Meeting.id).limit(ROTA_MEETINGS)).all()
        db.session.execute(update(Meeting).where(Meeting.id.in_([m.id for m in rota])).values(mentors_needed=2))
        course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
        verifier = Person(email="verifier@load.invalid", first_name="Verity", last_initial="L", status=ACTIVE,
                          password_hash=generate_password_hash(PASSWORD), roles=[PersonRole(role="coordinator")])
        db.session.add_all([course, verifier])
        db.session.flush()
        hashed = generate_password_hash(PASSWORD)
        lines = []
        for n in range(VOLUNTEERS):
            person = Person(email=f"v{n}@load.invalid", first_name=f"V{n}", last_initial="L", status=ACTIVE,
                            password_hash=hashed, roles=[PersonRole(role="peer_mentor")])
            db.session.add(person)
            db.session.add(TrainingRecord(person=person, course=course, completed_on=now.date() - timedelta(days=30),
                                          status="verified", verified_by_id=verifier.id, verified_at=utcnow()))
            meeting = rota[n % len(rota)]
            on = next_occurrences(meeting.schedule, {}, now, count=2)[1].original_start.date()
            lines.append(f"{person.email},{meeting.id},{on.isoformat()}")
        db.session.commit()
        db.engine.dispose()
    slug_file, volunteer_file = folder / "slugs.txt", folder / "volunteers.txt"
    slug_file.write_text("\n".join(slugs))
    volunteer_file.write_text("\n".join(lines))
    return slug_file, volunteer_file


def start_node(env: dict, port: int, log: Path) -> subprocess.Popen:
    """One gunicorn node with 2 workers, ready when /healthz answers."""
    import http.client

    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2",
                                    "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 120  # a loaded machine takes far longer than the usual second or two
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"node on {port} did not start; see {log}")


def report(prefix: Path, seconds: int) -> str:
    """Markdown from locust's CSV: per request kind and in all, with throughput, p50, p95 and failures."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    lines = ["| request | count | per second | p50 ms | p95 ms | failures |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(f"| {name} | {int(row['Request Count']):,} | {float(row['Requests/s']):,.1f} "
                     f"| {row['50%']} | {row['95%']} | {row['Failure Count']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Populate, start Redis and two nodes, run locust for the given time, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL database to wipe and load")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("the mixed load runs on PostgreSQL: --database-url postgresql+psycopg://…")
    folder = Path(tempfile.mkdtemp(prefix="rn-mixed-"))
    print(f"{machine()}; load before: {load_average()}", flush=True)
    slug_file, volunteer_file = populate(args.database_url, folder)
    redis_port = free_port()
    processes = [subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL)]
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": secrets.token_urlsafe(48),
           "SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost",
           "FLASK_RATELIMIT_STORAGE_URI": redis_url, "PAGE_CACHE_URL": redis_url, "GUNICORN_ACCESSLOG": "/dev/null",
           "GUNICORN_CONTROL_SOCKET": "off",
           "FLASK_SESSION_COOKIE_SECURE": "false", "FLASK_REMEMBER_COOKIE_SECURE": "false"}
    env.pop("FLASK_DEBUG", None)
    try:
        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(start_node(env, port, folder / f"node-{port}.log"))
        prefix = folder / "locust"
        locust_env = {**os.environ, "RN_NODES": ",".join(f"http://127.0.0.1:{p}" for p in ports),
                      "RN_SLUGS": str(slug_file), "RN_VOLUNTEERS": str(volunteer_file), "RN_PASSWORD": PASSWORD,
                      "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
                        "-u", str(args.users), "-r", str(max(1, args.users // 5)), "-t", f"{args.seconds}s",
                        "--stop-timeout", "5", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                       cwd=ROOT, env=locust_env, timeout=args.seconds + 120, check=False)
        print(f"\n### Mixed load: {args.users} users for {args.seconds} s on two nodes (2 workers each), "
              f"PostgreSQL, Redis\n")
        print(report(prefix, args.seconds))
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
