"""`flask import-meetings`: bring another directory's Meeting Guide feed into an area, all or nothing.

A real run is one transaction. Any rejected row stops it and nothing is written, because a half-imported
feed is harder to put right than a file fixed and imported again; `--skip-invalid` imports the other rows
when the rejected ones are known and accepted. A file that can't be read at all is never imported.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from recovery_network import localzone
from recovery_network.api.fetch import FeedNotFetched, is_url, load_feed
from recovery_network.api.import_fields import is_zone
from recovery_network.api.import_owner import importing_organisation
from recovery_network.api.import_service import (
    CHANGE, CREATE, REJECTED, SKIPPED, UNCHANGED, Entry, Plan, apply_plan, describe_entry, plan_import,
)
from recovery_network.api.importer import FeedUnreadable, Record, parse_records, read_records
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.recurrence import zone

MAX_SOURCE = 200


def init_app(app: Flask) -> None:
    """Register the import command with `flask`."""
    app.cli.add_command(import_meetings)


@click.command("import-meetings")
@click.argument("location", metavar="FILE_OR_URL")
@click.option("--area", "area_slug", required=True, help="Slug of the area the meetings are listed under.")
@click.option("--area-name", help="Create the area with this name if there is none with that slug.")
@click.option("--organisation", "organisation_ref", default=None,
              help="The organisation that owns the imported meetings (the slug of its name, or its public id). "
                   "Needed when there is more than one; by default the only one.")
@click.option("--source", help="A stable name for this feed; re-imports match on it. Default: the URL, or the file's path.")
@click.option("--dry-run", is_flag=True, help="Show what would be created, changed and rejected, row by row; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the other rows when some are rejected (by default nothing is).")
@click.option("--timezone", "default_timezone", default=None,
              help="Time zone for rows that name none (default: the network's TIMEZONE).")
@with_appcontext
def import_meetings(location: str, area_slug: str, area_name: str | None, organisation_ref: str | None,
                    source: str | None, dry_run: bool, skip_invalid: bool, default_timezone: str | None) -> None:
    """Import a Meeting Guide JSON feed (or a sheet as CSV) from a file or http(s) URL: all rows, or none."""
    default_timezone = default_timezone or localzone.name()
    if not is_zone(default_timezone):
        raise click.BadParameter(f"{default_timezone!r} is not a tz database zone", param_hint="--timezone")
    source = source or default_source(location)
    if len(source) > MAX_SOURCE:
        raise click.BadParameter(f"name the feed in at most {MAX_SOURCE} characters", param_hint="--source")
    try:
        organisation = importing_organisation(organisation_ref)  # before the feed is read: a wrong name costs nothing
    except DomainError as error:
        raise click.ClickException(f"Nothing imported: {error}") from None
    try:
        records = read_records(load_feed(location))
    except (FeedNotFetched, FeedUnreadable) as error:
        raise click.ClickException(f"Nothing imported: {error}") from None
    try:
        with _progress(records) as rows:
            plan = plan_import(
                parse_records(rows, default_timezone), source=source, area_slug=area_slug, area_name=area_name,
                starts_on=datetime.now(zone(default_timezone)).date(), organisation=organisation,
            )
    except DomainError as error:
        raise click.ClickException(f"Nothing imported: {error}") from None
    for line in report_lines(plan, everything=dry_run):
        click.echo(line)
    if dry_run:
        db.session.rollback()
        click.echo(summary(plan, dry_run=True))
        return
    rejected = plan.count(REJECTED)
    if rejected and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"Nothing imported: {rejected} row{'s' if rejected != 1 else ''} rejected. "
            "Fix the file, or pass --skip-invalid to import the other rows."
        )
    try:
        apply_plan(plan, skip_rejected=skip_invalid)
        db.session.commit()
    except (DomainError, SQLAlchemyError) as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing imported: {error}") from None
    click.echo(summary(plan, dry_run=False))


def default_source(location: str) -> str:
    """How a feed is known when not named: its URL as given, or the file's absolute path as a file: URI."""
    return location if is_url(location) else Path(location).resolve().as_uri()


@contextmanager
def _progress(records: list[Record]) -> Iterator[Iterable[Record]]:
    """A progress bar over the rows when someone is watching a terminal; the rows as they are otherwise."""
    if sys.stdout.isatty():
        with click.progressbar(records, label="Checking rows") as bar:
            yield bar
    else:
        yield records


def _where(entry: Entry) -> str:
    """"row 12 (slug x)", as a person finds it in the file."""
    return f"row {entry.row} (slug {entry.key})" if entry.key else f"row {entry.row}"


def report_lines(plan: Plan, *, everything: bool) -> Iterator[str]:
    """Row by row: every row but unchanged ones for a dry run; only what needs attention for a real one."""
    warned = 0
    for entry in plan.entries:
        where = _where(entry)
        if entry.action == REJECTED:
            yield f"{where}: rejected — {entry.reason}"
        elif entry.action == SKIPPED and entry.meeting is not None:
            yield f"{where}: skipped {entry.meeting.slug} — {entry.reason}"
        elif entry.action == CHANGE and entry.meeting is not None:
            yield f"{where}: change {entry.meeting.slug} — {'; '.join(entry.changes)}"
        elif entry.action == CREATE and everything:
            yield f"{where}: create {entry.slug} — {describe_entry(entry)}"
        if entry.warnings:
            warned += 1
            if everything:
                yield from (f"{where}: warning — {warning}" for warning in entry.warnings)
    if warned and not everything:
        yield f"{warned} rows have warnings; --dry-run lists them."


def summary(plan: Plan, *, dry_run: bool) -> str:
    """The totals, and what a dry run would have done."""
    counts = {action: plan.count(action) for action in (CREATE, CHANGE, UNCHANGED, SKIPPED, REJECTED)}
    venues = len(plan.new_venues)
    if dry_run:
        text = (f"Dry run, nothing written: would create {counts[CREATE]}, change {counts[CHANGE]}, "
                f"leave {counts[UNCHANGED]} unchanged and skip {counts[SKIPPED]}; {counts[REJECTED]} rejected; "
                f"{venues} new venue{'s' if venues != 1 else ''}.")
        if plan.area is None:
            text += f" The area “{plan.area_name}” ({plan.area_slug}) would be created."
    else:
        owner = f" for {plan.organisation.name}" if plan.organisation else ""
        text = (f"Imported into {plan.area_name}{owner}: {counts[CREATE]} created, {counts[CHANGE]} changed, "
                f"{counts[UNCHANGED]} unchanged, {counts[SKIPPED]} skipped, {counts[REJECTED]} rejected rows left out; "
                f"{venues} venue{'s' if venues != 1 else ''} added.")
    if plan.missing:
        text += f" {plan.missing} series from this feed are no longer in it and were left as they are."
    return text
