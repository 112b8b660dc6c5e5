"""Public holidays where the network runs (Scotland), for dates people should check before they travel.

Pure: no Flask, no database. The `holidays` package is imported on first use: it costs a tenth of a web
worker's start-up, and the first request that shows dates pays it once.
"""

from __future__ import annotations

from datetime import date
from functools import cache


@cache
def scottish_holidays(year: int) -> dict[date, str]:
    """Scottish public holidays for a year (the `holidays` package, subdivision SCT)."""
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="SCT", years=[year]))


def public_holiday(on: date) -> str:
    """The holiday's name if the date is a Scottish public holiday, else an empty string."""
    return scottish_holidays(on.year).get(on, "")
