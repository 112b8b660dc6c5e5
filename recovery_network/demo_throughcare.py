"""Demo throughcare states: referrals new, waiting too long, declined and accepted; pathways with an integration
plan, an agency visit and home leave, an escalation after two tries with no response, a silence, an extension,
release close with too few contacts and a follow-up overdue, one closed, and one erased (only its counts stay).
First names only, as in real use; only ever created by `flask seed-demo`.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.demo_organisations import founding
from recovery_network.extensions import db
from recovery_network.pathways import followups, referrals, services, support
from recovery_network.pathways.services import PathwayDetails
from recovery_network.venues.geo import Point
from recovery_network.venues.models import Venue

DUNDEE = Point(56.462, -2.9707)
GLASGOW = Point(55.8642, -4.2518)


def _refer(first_name: str, prison: Venue, release: date, by: Person, today: date, place=("Dundee", DUNDEE),
           days_ago: int = 0):
    """A referral as establishment staff (or a co-ordinator for a partner) would make it, received `days_ago`
    days before today with consent taken the day before it was sent (the rule: consent comes first)."""
    received = today - timedelta(days=days_ago)
    referral = referrals.refer(referrals.ReferralDetails(
        first_name=first_name, establishment=prison, release_date=release, destination=place[0],
        destination_point=place[1], referrer_org=f"{prison.name} Link Centre", consent_taken_by=by.display_name,
        consent_on=received - timedelta(days=1), consent_how="in_person",
        organisation_id=founding().id), by, received)  # the network's own team takes every demo referral
    referral.received_at -= timedelta(days=days_ago)
    return referral


def _open(first_name: str, prison: Venue, release: date, by: Person, today: date, mentor=None, community=None,
          place=("Dundee", DUNDEE)):
    """A pathway opened directly by the co-ordinator."""
    return services.open_pathway(PathwayDetails(
        first_name=first_name, establishment=prison, release_date=release, destination=place[0],
        destination_point=place[1], mentor=mentor, backup_mentor=None, consent_scope="plan",
        community_mentor=community), by, today)


def _weekday_after(day: date, days: int) -> date:
    """The first Monday-to-Friday date at least `days` after `day` (prison visits happen on weekdays)."""
    on = day + timedelta(days=days)
    return on + timedelta(days=max(0, 7 - on.weekday())) if on.weekday() >= 5 else on


def seed_throughcare(today: date, people: dict[str, Person]) -> None:
    """Every throughcare state the screens show, once (called only when the demo people were just added)."""
    venues = {v.slug: v for v in db.session.scalars(select(Venue))}
    perth, low_moss = venues.get("hmp-perth"), venues.get("hmp-low-moss")
    staff, coordinator = people.get("staff.perth"), people.get("coordinator")
    mentor, community, backup = people.get("mentor"), people.get("mentor.community"), people.get("facilitator")
    if None in (perth, low_moss, staff, coordinator, mentor, community):
        return
    release = today + timedelta(days=(1 - today.weekday()) % 7 + 21)  # a Tuesday about three weeks ahead

    # Dee: referred by HMP Perth staff, accepted; plan agreed in part, one visit inside so far, home leave ahead.
    dee_referral = _refer("Dee", perth, release, staff, today)
    dee = referrals.accept(dee_referral, mentor, backup, community, True, False, coordinator, today)
    for area, agreed, who, agency, status, due in (
        ("housing", "Tenancy sign-up on the day after release", "agency", "Dundee Housing Options", "in_hand",
         release + timedelta(days=1)),
        ("income", "Universal Credit claim started before release", "mentor", "", "to_do", None),
        ("health", "Register with a GP near home", "person", "", "to_do", release + timedelta(days=7)),
        ("recovery", "Try the Monday SMART group", "person", "", "to_do", None),
        ("justice", "", "person", "", "not_needed", None),
    ):
        support.set_area(dee, support.AreaPlan(area, agreed, who, agency, due, status), coordinator)
    services.record_contact(dee, today - timedelta(days=7), "face_to_face", mentor, today)
    support.add_leave(dee, today + timedelta(days=8), today + timedelta(days=9), coordinator, today)
    support.add_visit(dee, "agency_visit", _weekday_after(today, 4), time(14, 0), coordinator, today)

    # Referrals waiting: one new today, one waiting too long; one declined (erased after retention).
    _refer("Ali", low_moss, release + timedelta(days=14), coordinator, today, ("Glasgow", GLASGOW))
    _refer("Bea", perth, release + timedelta(days=7), staff, today, days_ago=16)
    declined = _refer("Cal", perth, release, staff, today)
    referrals.decline(declined, "no_capacity", coordinator, today, 90)

    # Jo: Low Moss with a community mentor only; seen twice before release and at the gate, then two tries with
    # no response: escalated. Support extended by agreement.
    released = today - timedelta(days=7)
    jo = _open("Jo", low_moss, released, coordinator, today, community=community, place=("Glasgow", GLASGOW))
    for days_before in (20, 10):
        services.record_contact(jo, released - timedelta(days=days_before), "face_to_face", community, today)
    services.record_contact(jo, released, "gate", community, today)
    services.record_contact(jo, today - timedelta(days=3), "no_response", community, today)
    services.record_contact(jo, today - timedelta(days=2), "no_response", community, today)
    support.extend(jo, "housing_not_settled", coordinator, today)

    # Max: released a week ago and not reached since: the daily job's silence escalation.
    max_ = _open("Max", perth, released, coordinator, today, mentor=mentor)
    followups.check_silence(max_, today)

    # Kit: release in ten days with one face-to-face so far (at risk), and a try with no response left
    # unanswered: the follow-up is overdue on the daily list.
    kit = _open("Kit", perth, _weekday_after(today, 10), coordinator, today, mentor=mentor)
    services.record_contact(kit, today - timedelta(days=12), "face_to_face", mentor, today)
    services.record_contact(kit, today - timedelta(days=5), "no_response", mentor, today)

    # Sol: withdrew consent and was erased at once: nothing of Sol is left, only the anonymous counts.
    sol = _open("Sol", perth, released, coordinator, today, mentor=mentor)
    services.close(sol, today, 90, coordinator, "withdrew_consent")
    services.erase(sol, coordinator, today)

    # Rae: seen, then moved away: closed with that outcome (erased after retention).
    rae = _open("Rae", perth, released, coordinator, today, mentor=mentor)
    services.record_contact(rae, released, "gate", mentor, today)
    services.close(rae, today, 90, coordinator, "moved_away")
    db.session.flush()
