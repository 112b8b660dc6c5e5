"""The network's time zone comes from one setting (TIMEZONE), and changing it changes what people see."""

from __future__ import annotations

import pytest

from recovery_network import create_app, localzone
from recovery_network.config import Config
from tests.conftest import database_url

ZONES = ("Europe/London", "America/New_York")
# The usual test app (tests/conftest.py `app`), with the network in each zone in turn.
IN_EACH_ZONE = pytest.mark.parametrize(
    "zone", [pytest.param(zone, marks=pytest.mark.app_config(TIMEZONE=zone), id=zone) for zone in ZONES])


@IN_EACH_ZONE
def test_a_new_meeting_takes_the_configured_zone_in_its_page_and_its_feed(zone, app, client, make_meeting):
    """A meeting posted without a zone is in the network's: its .ics says so, its page needs no label;
    a meeting in another zone is labelled with it."""
    assert app.config["TIMEZONE"] == zone and localzone.name() == zone
    home = make_meeting("Home group")
    other_zone = next(z for z in ZONES if z != zone)
    away = make_meeting("Away group", timezone=other_zone)
    assert home.timezone == zone
    page = client.get(f"/meetings/{home.slug}").get_data(as_text=True)
    assert "18:30 for 90 minutes." in page and f"({zone})" not in page
    assert f"18:30 for 90 minutes ({other_zone})." in client.get(f"/meetings/{away.slug}").get_data(as_text=True)
    feed = client.get(f"/meetings/{home.slug}.ics").get_data(as_text=True)
    assert f"DTSTART;TZID={zone}:20260106T183000" in feed and f"TZID:{zone}\r\n" in feed


def test_an_unknown_zone_stops_the_app_at_start_up(tmp_path):
    """A typo in TIMEZONE fails when the app starts, not on the first page that shows a time."""
    with pytest.raises(Exception, match="Europe/Lodnon"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url(tmp_path), "TIMEZONE": "Europe/Lodnon"})
    assert localzone.name() == Config.TIMEZONE
