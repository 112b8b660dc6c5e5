"""Command-line tasks: thin wrappers over services, each committing once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.types import utcnow


def init_app(app: Flask) -> None:
    """Register the commands with `flask`."""
    app.cli.add_command(seed_demo)


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
