"""Command-line tasks: thin wrappers over services, each committing once."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.types import utcnow


def init_app(app: Flask) -> None:
    """Register the commands with `flask`: migrations (`flask db`), seeding, cron jobs and import."""
    from flask_migrate import Migrate  # here, not in extensions: web workers never load Alembic

    from recovery_network.types import render_migration_type

    Migrate(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
        render_as_batch=True,  # SQLite can only alter tables by copying them
        render_item=render_migration_type,
    )
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(expire_clearances)
    app.cli.add_command(purge_pathways)
    app.cli.add_command(throughcare_daily)
    app.cli.add_command(purge_accounts)
    from recovery_network.api import cli as api_cli  # the import command lives with the feed it reads

    api_cli.init_app(app)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no meetings yet (used by `make run`).")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Create the demo network; running it again adds nothing that is already there."""
    from recovery_network import demo
    from recovery_network.meetings.models import Meeting

    if if_empty and db.session.scalar(select(func.count(Meeting.id))):
        click.echo("Database already has meetings; not seeding.")
        return
    added = demo.seed(utcnow())
    db.session.commit()
    click.echo("Demo network: " + ", ".join(f"{n} {what} added" for what, n in added.items()))


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Queue 48-hour rota reminders, daily gap alerts and clearance chases, then send the outbox (run hourly)."""
    from recovery_network.rota import reminders

    now = utcnow()
    # Links in emails need the public address; cron has no request to take it from.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        queued = (reminders.queue_rota_reminders(now) + reminders.queue_gap_alerts(now)
                  + reminders.queue_clearance_chases(now))
        db.session.commit()
        sent = reminders.send_pending()
        db.session.commit()
    click.echo(f"Queued {queued}, sent {sent}.")


@click.command("expire-clearances")
@with_appcontext
def expire_clearances() -> None:
    """Mark clearances past their date as expired and release the rota places they covered (run daily)."""
    from recovery_network.mentors.services import expire_lapsed

    lapsed = expire_lapsed(utcnow().date())
    db.session.commit()
    click.echo(f"{len(lapsed)} clearances expired.")


@click.command("purge-pathways")
@with_appcontext
def purge_pathways() -> None:
    """Close pathways whose six weeks are over and erase closed ones past retention (run daily)."""
    from recovery_network.pathways.services import close_and_purge

    closed, erased = close_and_purge(utcnow().date(), current_app.config["PATHWAY_RETENTION_DAYS"])
    db.session.commit()
    click.echo(f"{closed} pathways closed, {erased} erased.")


@click.command("throughcare-daily")
@with_appcontext
def throughcare_daily() -> None:
    """Escalate silences, list overdue follow-ups and referrals waiting too long, erase old declined referrals
    (run daily; escalation emails go out with the next send-reminders)."""
    from recovery_network.pathways import followups, referrals

    today = utcnow().date()
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        overdue = followups.daily(today)
        waiting = [r for r, late in referrals.waiting(today) if late]
        erased = referrals.purge_declined(today)
        db.session.commit()
    for item in overdue:
        click.echo(f"{item.pathway.reference}: {item.what} since {item.since.isoformat()}")
    for referral in waiting:
        click.echo(f"Referral received {referral.received_at.date().isoformat()}: not decided in "
                   f"{referrals.UNDECIDED_DAYS} days")
    click.echo(f"{len(overdue)} overdue, {len(waiting)} referrals waiting too long, {erased} declined referrals erased.")


@click.command("purge-accounts")
@with_appcontext
def purge_accounts() -> None:
    """Erase pending accounts never approved within PENDING_ACCOUNT_DAYS, and forget old logins (run daily)."""
    from recovery_network.accounts.management import purge_unapproved
    from recovery_network.accounts.permissions import login_max_age
    from recovery_network.accounts.services import purge_old_sessions

    now = utcnow()
    erased = purge_unapproved(now, current_app.config["PENDING_ACCOUNT_DAYS"])
    forgotten = purge_old_sessions(now, login_max_age())
    db.session.commit()
    click.echo(f"{erased} unapproved accounts erased, {forgotten} old logins forgotten.")
