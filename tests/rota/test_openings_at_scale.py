"""The rota's openings on a network of thousands of series: the bounded walk offers exactly what expanding everything would.

`openings` walks the month one local day at a time and lets SQL pick the series to expand; the oracle here
expands every running series over the whole month and applies the eligibility rule to each place. Both must
give the same places in the same order: the first page, the later pages, and the whole month.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import insert, select

from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, PUBLIC, Meeting, MeetingChange
from recovery_network.mentors.models import Clearance, TrainingRecord
from recovery_network.mentors.rules import eligible
from recovery_network.mentors.services import facts_for
from recovery_network.rota import queries
from recovery_network.rota.models import RotaSlot, Signup
from recovery_network.rota.views import MAX_PAGE
from recovery_network.types import utcnow
from recovery_network.venues.models import COMMUNITY
from recovery_network.venues.models import CUSTODY as CUSTODY_SETTING
from tests.rota.conftest import TODAY

SERIES = 3000
ZONES = ["Europe/London"] * 18 + ["Europe/Dublin", "America/New_York"]


def key(place) -> tuple:
    """What a volunteer is offered: which series, which date, which role."""
    return place.meeting.id, place.occurrence.original_start.date(), place.role


def every_opening(person, now: datetime, days: int = 28) -> list:
    """The oracle: every running series expanded over the whole window, each place put to the eligibility rule."""
    trainings, clearances = facts_for(person)
    roles = [r for r in ("facilitator", "peer_mentor") if person.has_role(r)]
    mine = {(s.meeting_id, s.occurrence_date) for s in queries.my_signups(person, now)}
    cleared = {c.establishment_id for c in clearances}
    series = db.session.scalars(select(Meeting).where(Meeting.status == ACTIVE)).all()
    # Custody series are offered only at establishments the person holds some clearance for (the rule says when).
    series = [m for m in series if m.visibility == PUBLIC or (m.visibility == CUSTODY and m.venue_id in cleared)]
    found = []
    for place in queries.places(series, now, now + timedelta(days=days)):
        if place.role not in roles or place.short == 0 or (place.meeting.id, place.occurrence.original_start.date()) in mine:
            continue
        establishment = place.meeting.venue_id if place.meeting.is_custody else None
        if eligible(place.role, place.occurrence.start.date(), establishment_id=establishment, trainings=trainings,
                    clearances=clearances, approved=person.is_approved):
            found.append(place)
    return found


@pytest.fixture
def network(app_ctx, make_venue):
    """Thousands of series over community halls and prisons: every frequency, a few zones, ended series,
    cancellations, moves into and out of the month, and some dates already fully staffed."""
    rng = random.Random(15)
    halls = [make_venue(COMMUNITY, name=f"Hall {n}") for n in range(40)]
    prisons = [make_venue(CUSTODY_SETTING, name=f"HMP {n}") for n in range(12)]
    db.session.commit()
    meetings, changes = [], []
    for n in range(1, SERIES + 1):
        custody = rng.random() < 0.15
        frequency = rng.choices(["weekly", "fortnightly", "monthly"], [0.7, 0.2, 0.1])[0]
        starts_on = TODAY + timedelta(days=rng.randrange(-400, 20))
        ends_on = starts_on + timedelta(days=rng.randrange(1, 200)) if rng.random() < 0.1 else None
        meetings.append({
            "id": n, "slug": f"series-{n}", "title": f"Series {n % 97}", "kind": "smart",
            "visibility": CUSTODY if custody else PUBLIC,
            "status": ACTIVE if rng.random() < 0.95 else "paused",
            "listing": "open", "referral_contact": "",
            "venue_id": (rng.choice(prisons) if custody else rng.choice(halls)).id,
            "description": "", "frequency": frequency, "weekday": rng.randrange(7),
            "week_of_month": rng.choice((1, 2, 3, 4, -1)) if frequency == "monthly" else None,
            "starts_on": starts_on, "ends_on": ends_on, "session_count": None, "finishes_on": ends_on,
            "start_time": rng.choice([time(0, 30), time(10), time(18, 30), time(23, 30)]),
            "duration_minutes": 90, "timezone": rng.choice(ZONES),
            "facilitators_needed": rng.choice((0, 1, 1, 2)), "mentors_needed": rng.choice((0, 0, 1, 2)),
            "sequence": 0,
        })
    for meeting in meetings:
        if rng.random() < 0.08:
            original = TODAY + timedelta(days=rng.randrange(-10, 40))
            original -= timedelta(days=(original.weekday() - meeting["weekday"]) % 7)
            moved = rng.random() < 0.6
            changes.append({
                "meeting_id": meeting["id"], "original_date": original, "kind": "moved" if moved else "cancelled",
                "reason": "", "sequence": 0,
                "new_start": datetime.combine(original + timedelta(days=rng.randrange(-30, 30)), time(12))
                if moved else None,
            })
    with db.session.begin_nested():
        db.session.execute(insert(Meeting.__table__), meetings)
        db.session.execute(insert(MeetingChange.__table__), changes)
    db.session.commit()
    return {"prisons": prisons, "rng": rng}


@pytest.fixture
def volunteer(make_volunteer, network):
    """A facilitator and peer mentor whose facilitator training runs out mid-month, cleared for three prisons:
    one from the start, one only from the second week, one that lapses in the third."""
    prisons = network["prisons"]
    person = make_volunteer("Robin", roles=("facilitator", "peer_mentor"))
    training = db.session.scalar(select(TrainingRecord).where(TrainingRecord.person_id == person.id,
                                                              TrainingRecord.course.has(qualifies_for="facilitator")))
    training.expires_on = TODAY + timedelta(days=16)
    db.session.add_all([
        Clearance(person=person, venue=prisons[0], status="approved", valid_from=TODAY - timedelta(days=5)),
        Clearance(person=person, venue=prisons[1], status="approved", valid_from=TODAY + timedelta(days=8)),
        Clearance(person=person, venue=prisons[2], status="approved", valid_from=TODAY - timedelta(days=5),
                  expires_on=TODAY + timedelta(days=20)),
        Clearance(person=person, venue=prisons[3], status="pending", valid_from=None),
    ])
    db.session.commit()
    return person


def fill_some(places, rng, person, others) -> None:
    """Staff some places fully (someone else confirmed in every seat) and give the volunteer a few of their own."""
    for place in places:
        roll = rng.random()
        if roll > 0.25:
            continue
        on = place.occurrence.original_start.date()
        taker = person if roll < 0.03 else None
        seats = 1 if taker else place.needed
        slot = RotaSlot(meeting_id=place.meeting.id, occurrence_date=on, role=place.role, needed=place.needed,
                        filled=seats)
        db.session.add(slot)
        db.session.flush()
        for n in range(seats):
            who = taker or others[n]
            exists = db.session.scalar(select(Signup.id).where(Signup.meeting_id == place.meeting.id,
                                                               Signup.occurrence_date == on, Signup.person_id == who.id))
            if exists is None:
                db.session.add(Signup(slot_id=slot.id, meeting_id=place.meeting.id, occurrence_date=on,
                                      person_id=who.id, status="confirmed", created_by_id=who.id))
        db.session.flush()
    db.session.commit()


def test_the_first_pages_are_exactly_what_expanding_everything_offers(volunteer, network, make_volunteer):
    """First page, second page and the whole month: the same places in the same order as the oracle's."""
    now = utcnow()
    others = [make_volunteer(f"Other{n}", roles=("facilitator", "peer_mentor")) for n in range(2)]
    fill_some(every_opening(volunteer, now), network["rng"], volunteer, others)
    db.session.expire_all()

    oracle = [key(p) for p in every_opening(volunteer, now)]
    assert len(oracle) > 200  # a network big enough that a page is a small part of the month
    size = queries.PAGE_SIZE
    assert [key(p) for p in queries.openings(volunteer, now, limit=size + 1)] == oracle[:size + 1]
    assert [key(p) for p in queries.openings(volunteer, now, limit=2 * size + 1)] == oracle[:2 * size + 1]
    assert [key(p) for p in queries.openings(volunteer, now)] == oracle

    # The oracle's month holds every kind of place the walk has to get right.
    whole = every_opening(volunteer, now)
    assert any(p.meeting.is_custody for p in whole) and any(not p.meeting.is_custody for p in whole)
    assert any(p.occurrence.moved for p in whole)
    assert any(p.meeting.timezone != "Europe/London" for p in whole)
    assert {p.role for p in whole if p.occurrence.start.date() > TODAY + timedelta(days=17)} == {"peer_mentor"}
    custody_sites = {p.meeting.venue_id for p in whole if p.meeting.is_custody}
    assert network["prisons"][3].id not in custody_sites and network["prisons"][0].id in custody_sites


def test_the_rota_page_shows_forty_at_a_time_in_order(client, auth, volunteer, network):
    """The page lists the oracle's first forty and links to the next forty; the last page has no "more"."""
    now = utcnow()
    oracle = every_opening(volunteer, now)
    auth.login(volunteer)
    first = client.get("/rota/").get_data(as_text=True)
    second = client.get("/rota/?page=2").get_data(as_text=True)

    def shown(page: str) -> list[str]:
        """The id of each sign-up widget on the page, in page order (my own places come first)."""
        return [part.split('"', 1)[0] for part in page.split('<div class="signup" id="signup-')[1:]]

    def widget(place) -> str:
        """The id the widget for this place carries."""
        return f"{place.meeting.id}-{place.occurrence.original_start.date()}-{place.role}"

    mine = len(queries.my_signups(volunteer, now))
    assert shown(first)[mine:] == [widget(p) for p in oracle[:40]]
    assert shown(second)[mine:] == [widget(p) for p in oracle[40:80]]
    assert 'href="/rota/?page=2#needs-help"' in first and "More sessions that need help" in first
    # Far more than anyone reads: the pages stop at MAX_PAGE (each page walks the month up to itself).
    assert len(oracle) > 40 * MAX_PAGE
    final = client.get(f"/rota/?page={MAX_PAGE}").get_data(as_text=True)
    assert shown(final)[mine:] == [widget(p) for p in oracle[40 * (MAX_PAGE - 1):40 * MAX_PAGE]]
    assert "More sessions that need help" not in final and 'rel="prev">Sooner sessions' in final
    assert client.get(f"/rota/?page={MAX_PAGE + 1}").status_code == 404


def test_past_the_last_opening_the_page_says_so(client, auth, make_volunteer, community):
    """A page after the last opening says nothing more needs help, and links back to the soonest."""
    auth.login(make_volunteer())
    assert "Perth Tuesday SMART" in client.get("/rota/").get_data(as_text=True)
    beyond = client.get("/rota/?page=2").get_data(as_text=True)
    assert "No more sessions need help in the next four weeks" in beyond and "Perth Tuesday SMART" not in beyond
