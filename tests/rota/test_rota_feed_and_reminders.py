"""The private rota calendar (secret, hashed, resettable, neutral) and the 48-hour reminders."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select, text

from recovery_network.extensions import db
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.rota import reminders
from recovery_network.feeds.models import FeedToken
from recovery_network.rota.models import OutboxMessage
from recovery_network.rota.services import sign_up
from recovery_network.types import utcnow
from tests.conftest import outbox
from tests.feeds.ical_lint import lint
from tests.rota.conftest import next_date

DENY = ("prison", "hmp", "release", "liberation", "smart", "recovery", "custody", "perth")  # nothing a lock screen shows


def new_link(client) -> str:
    """Ask for a rota link and read it off the page (it is shown once)."""
    page = client.post("/rota/feed").get_data(as_text=True)
    return re.search(r'value="http://localhost(/rota/feed/[^"]+\.ics)"', page).group(1)


def test_rota_feed_is_private_neutral_and_resettable(client, auth, make_volunteer, community, custody, prison):
    """Titles say only 'Tuesday group'; custody places carry no location; reset kills the old link."""
    person = make_volunteer(cleared_for=[prison])
    for meeting in (community, custody):
        sign_up(person, meeting, next_date(meeting), "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    auth.login(person)
    link = new_link(client)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    stored = db.session.scalars(select(FeedToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    auth.logout()
    response = client.get(link)  # calendar apps send no cookies
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["X-Robots-Tag"] == "noindex" and "private" in response.headers["Cache-Control"]
    body = response.get_data()
    assert lint(body, private=True) == []
    calendar = Calendar.from_ical(body)
    events = calendar.events
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Tuesday group", "Tuesday group"]
    shown = [str(calendar.get("X-WR-CALNAME"))] + [str(e.get(k, "")) for e in events for k in ("SUMMARY", "DESCRIPTION")]
    assert not [w for w in DENY for value in shown if w in value.lower()]
    locations = [str(e["LOCATION"]) for e in events if "LOCATION" in e]
    assert locations == ["1 High Street, Perth, PH1 5PE"]  # the street, not 'Recovery Hub'; custody has none
    auth.login(person)
    fresh = new_link(client)
    assert client.get(link).status_code == 404 and client.get(fresh).status_code == 200
    client.post("/rota/feed/revoke")
    assert client.get(fresh).status_code == 404
    assert client.get("/rota/feed/not-a-real-token.ics").status_code == 404


def test_reminders_48_hours_ahead_once_and_only_for_confirmed(app, make_volunteer, community):
    """A confirmed helper is reminded once; the waiting list is not; running twice sends nothing new."""
    on = next_date(community)
    people = [make_volunteer(n, email=f"{n.lower()}@example.org") for n in ("Ann", "Ben", "Cat")]
    for person in people:
        sign_up(person, community, on, "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    start = next_occurrences(community.schedule, {}, utcnow(), 1)[0].start
    now = start - timedelta(hours=47)
    assert reminders.queue_rota_reminders(now) == 2
    assert reminders.queue_rota_reminders(now) == 0
    assert reminders.send_pending() == 2
    db.session.commit()
    assert reminders.send_pending() == 0
    sent = outbox(app)
    assert sorted(m.to for m in sent) == ["ann@example.org", "ben@example.org"]
    assert all("helping on Tuesday" in m.body and "prison" not in m.body.lower() for m in sent)
    assert reminders.queue_rota_reminders(start - timedelta(hours=60)) == 0  # too early: nothing


def test_gap_alerts_go_to_coordinators_once_a_day(app, make_person, custody):
    """A co-ordinator gets one alert a day while places are short."""
    make_person("coordinator", email="morag@example.org")
    now = utcnow()
    assert reminders.queue_gap_alerts(now) == 1
    assert reminders.queue_gap_alerts(now) == 0
    message = db.session.scalar(select(OutboxMessage))
    assert "in custody" in message.body and "HMP" not in message.body


def test_send_reminders_command(runner, make_volunteer, community, app):
    """The cron command queues and sends."""
    on = next_date(community)
    person = make_volunteer(email="jamie@example.org")
    sign_up(person, community, on, "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Queued \d+, sent \d+\.", result.output)
    assert db.session.execute(text("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL")).scalar() == 0
