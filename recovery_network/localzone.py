"""The network's time zone: the one place that reads the TIMEZONE setting (config.py).

create_app calls configure() with the app's TIMEZONE; everything local (a new meeting's zone, release days,
gate times, "today" for the page cache, plan items on a phone) asks name() or tzinfo() here, and pure modules
take the zone as an argument from their callers. Pure: no Flask, no database.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

from recovery_network.config import Config

_name = Config.TIMEZONE


def configure(name: str) -> None:
    """Use this IANA zone for the network from now on (create_app passes the app's TIMEZONE)."""
    global _name
    ZoneInfo(name)  # an unknown zone fails at start-up, not on the first page that shows a time
    _name = name


def name() -> str:
    """The network's zone as an IANA name: what a new meeting is stored in and a feed's TZID says."""
    return _name


def tzinfo() -> ZoneInfo:
    """The network's zone, to show an instant as local time."""
    return _zone(_name)


@cache
def _zone(key: str) -> ZoneInfo:
    """One ZoneInfo per name (it keeps the IANA key a feed's TZID needs)."""
    return ZoneInfo(key)
