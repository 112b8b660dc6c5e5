"""How dates, times and distances read on the page: short, unambiguous, local to the venue."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Flask

from recovery_network import localzone
from recovery_network.accounts.models import ROLE_NAMES
from recovery_network.meetings.kinds import BY_CODE


def clock(value: time | datetime) -> str:
    """24-hour clock, as UK timetables write it: 18:30."""
    return value.strftime("%H:%M")


def day_date(value: datetime) -> str:
    """Weekday and date without the year: Tue 24 Nov."""
    return f"{value:%a} {value.day} {value:%b}"


def long_date(value: datetime) -> str:
    """Weekday, date and year for a printed list: Tuesday 24 November 2026."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def local_day(value: datetime, zone_name: str | None = None) -> str:
    """An instant shown as local day and time: Tue 24 Nov, 18:30."""
    local = value.astimezone(ZoneInfo(zone_name) if zone_name else localzone.tzinfo())
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def local_date(value: datetime, zone_name: str | None = None) -> str:
    """An instant's local day, with no time: Tue 24 Nov (an item whose time is still to be confirmed)."""
    local = value.astimezone(ZoneInfo(zone_name) if zone_name else localzone.tzinfo())
    return f"{local:%a} {local.day} {local:%b}"


def miles(value: float | None) -> str:
    """A distance people can use: '0.4 miles', '12 miles'."""
    if value is None:
        return ""
    if value < 10:
        return f"{value:.1f} miles"
    return f"{value:.0f} miles"


def now_local(like: datetime) -> datetime:
    """The current time in the same zone as a meeting's time, to say 'on now'."""
    return datetime.now(like.tzinfo)


def init_app(app: Flask) -> None:
    """Make the formats, the kinds of meeting and the clock available to every template."""
    for f in (clock, day_date, long_date, local_day, local_date, miles):
        app.add_template_filter(f)

    @app.context_processor
    def shared_context() -> dict:
        """Names every page may use."""
        return {"kinds": BY_CODE, "now_local": now_local, "role_names": ROLE_NAMES, "network_zone": localzone.name()}
