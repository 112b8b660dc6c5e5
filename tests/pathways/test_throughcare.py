"""Throughcare through the screens: community mentor, integration plan in the pack, non-response and escalation,
referrals, home leave, extensions, closing with an outcome, the daily job, and erasure that leaves nothing."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import inspect, select, text

from recovery_network.extensions import db
from recovery_network.organisations.models import Organisation
from recovery_network.pathways import standards
from recovery_network.pathways.models import Pathway, PathwayTally
from recovery_network.pathways.throughcare_models import FollowUp, Referral
from recovery_network.rota.models import OutboxMessage
from recovery_network.venues.models import CUSTODY
from tests.conftest import founding_organisation
from tests.pathways.conftest import RELEASE, TODAY, open_form


def page(response) -> str:
    """A response's text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def opened(client, auth, setting, **overrides) -> Pathway:
    """Open a pathway through the form as the co-ordinator."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, **overrides))
    assert response.status_code == 302, page(response)[-2000:]
    return db.session.scalars(select(Pathway).order_by(Pathway.id.desc())).first()


def contact(client, pathway, on, mode):
    """Record a contact through the pathway page's form."""
    return client.post(f"/pathways/{pathway.public_id}/contacts", data={"on": on.isoformat(), "mode": mode})


def test_low_moss_opens_with_a_community_mentor_and_no_cleared_mentor(client, auth, setting, make_venue):
    """The community mentor needs no clearance; an uncleared mentor inside is still refused beside the field."""
    low_moss = make_venue(CUSTODY, name="HMP Low Moss", lat=55.9262, lon=-4.2130, town="Bishopbriggs")
    pathway = opened(client, auth, setting, establishment_id=low_moss.id, mentor_id=0,
                     community_mentor_id=setting["other"].id)
    assert pathway.establishment_id == low_moss.id and pathway.mentor_id is None
    assert pathway.community_mentor_id == setting["other"].id
    refused = client.post("/pathways/new", data=open_form(setting, establishment_id=low_moss.id,
                                                          mentor_id=setting["other"].id))
    assert "can't be the mentor" in page(refused)
    nobody = client.post("/pathways/new", data=open_form(setting, mentor_id=0))
    assert "Choose a mentor inside, a community mentor, or both." in page(nobody)
    # The community mentor sees the pathway; a mentor with no part in it does not.
    auth.login(setting["other"])
    assert client.get(f"/pathways/{pathway.public_id}").status_code == 200


def test_integration_plan_is_agreed_and_printed_in_the_pack(client, auth, setting):
    """Each area: what, who (an agency by name), by when, status; the pack (page and PDF) says it in plain words."""
    pathway = opened(client, auth, setting)
    missing = client.post(f"/pathways/{pathway.public_id}/plan-areas", data={
        "area": "housing", "agreed": "Tenancy sign-up", "who": "agency", "agency": "", "status": "in_hand"})
    assert "Name the agency that does it." in page(missing)
    assert 'id="agency-area-housing-error"' in page(missing)  # beside its field, not only at the top
    saved = client.post(f"/pathways/{pathway.public_id}/plan-areas", data={
        "area": "housing", "agreed": "Tenancy sign-up at the council", "who": "agency",
        "agency": "Dundee Housing Options", "due_on": (RELEASE + timedelta(days=2)).isoformat(), "status": "in_hand"})
    assert saved.status_code == 302
    client.post(f"/pathways/{pathway.public_id}/plan-areas", data={
        "area": "recovery", "agreed": "Try the Monday SMART group", "who": "person", "status": "to_do"})
    detail = page(client.get(f"/pathways/{pathway.public_id}"))
    assert "Never write health or offence detail" in detail and "Dundee Housing Options" in detail
    printed = page(client.post(f"/pathways/{pathway.public_id}/pack"))
    assert "What we agreed" in printed and "Tenancy sign-up at the council" in printed
    assert "Dundee Housing Options" in printed and "Try the Monday SMART group" in printed
    pdf = client.post(f"/pathways/{pathway.public_id}/pack.pdf").data
    words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "What we agreed" in words and "Dundee Housing Options" in words and "Housing" in words
    forged = client.post(f"/pathways/{pathway.public_id}/plan-areas", data={"area": "offence", "who": "x"})
    assert forged.status_code == 422 and "Choose an area of the plan." in page(forged)


def test_no_response_twice_escalates_once_and_a_contact_closes_it(client, auth, setting, monkeypatch):
    """First: a follow-up due the next working day. Second in a row: on the dashboard and one email each."""
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=3)).isoformat())
    first = TODAY - timedelta(days=2)
    assert contact(client, pathway, first, "no_response").status_code == 302
    [follow_up] = db.session.scalars(select(FollowUp)).all()
    assert follow_up.due_on == standards.next_working_day(first) and follow_up.escalated_on is None
    assert "No response: " in page(client.get("/pathways/"))
    contact(client, pathway, TODAY - timedelta(days=1), "no_response")
    db.session.refresh(follow_up)
    assert follow_up.escalated_on == TODAY
    dashboard = page(client.get("/coordinate/"))
    assert "Escalations (1)" in dashboard and f"{pathway.first_name} · {pathway.reference}" in dashboard
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("escalation:%"))).all()
    assert [m.person_id for m in mails] == [setting["coordinator"].id]
    assert pathway.first_name not in mails[0].body and "welfare" in mails[0].body
    contact(client, pathway, TODAY, "no_response")  # a third: still one escalation, still one email
    assert db.session.scalar(select(PathwayTally.count).where(PathwayTally.measure == "escalations")) == 1
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("escalation:%"))).all()) == 1
    contact(client, pathway, TODAY, "phone")
    db.session.refresh(follow_up)
    assert follow_up.closed_by == "contact" and "Escalations (0)" in page(client.get("/coordinate/"))


def test_daily_job_escalates_a_silence_and_lists_what_is_overdue(app, client, auth, setting):
    """Seven days after release with no contact: escalated by the daily job, listed, emailed once."""
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=7)).isoformat())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["throughcare-daily"])
    assert result.exit_code == 0, result.output
    assert f"{pathway.reference}: escalated" in result.output
    again = runner.invoke(args=["throughcare-daily"])
    assert "1 overdue" in again.output
    assert db.session.scalar(select(PathwayTally.count).where(PathwayTally.measure == "escalations")) == 1


def test_an_agency_visit_is_planned_and_counts_as_a_contact(client, auth, setting):
    """The community mentor's visit inside is an item in the plan; once it happens it is a face-to-face contact."""
    pathway = opened(client, auth, setting, community_mentor_id=setting["other"].id)
    bad = client.post(f"/pathways/{pathway.public_id}/visits", data={
        "visit_kind": "agency_visit", "on": (RELEASE + timedelta(days=1)).isoformat(), "at": "14:00"})
    assert "between today and the day before release" in page(bad)
    client.post(f"/pathways/{pathway.public_id}/visits",
                data={"visit_kind": "agency_visit", "on": TODAY.isoformat(), "at": "00:01"})
    [visit] = [i for i in pathway.items if i.kind == "agency_visit"]
    assert client.post(f"/pathways/{pathway.public_id}/items/{visit.id}/happened").status_code == 302
    db.session.refresh(pathway)
    assert [c.mode for c in pathway.contacts] == ["agency_visit"]
    assert "1 of 2 so far" in page(client.get(f"/pathways/{pathway.public_id}"))


def test_home_leave_offers_meetings_near_home_and_the_community_mentor(client, auth, setting):
    """Leave days before release list meetings near home on those days; a meeting with the mentor can be planned."""
    pathway = opened(client, auth, setting, community_mentor_id=setting["other"].id)
    monday = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)
    wrong = client.post(f"/pathways/{pathway.public_id}/leave",
                        data={"starts_on": monday.isoformat(), "ends_on": (monday - timedelta(days=1)).isoformat()})
    assert "The last day is before the first." in page(wrong)
    client.post(f"/pathways/{pathway.public_id}/leave",
                data={"starts_on": monday.isoformat(), "ends_on": (monday + timedelta(days=1)).isoformat()})
    detail = page(client.get(f"/pathways/{pathway.public_id}"))
    assert "Meetings near Dundee on those days" in detail and "Dundee SMART Monday" in detail
    planned = client.post(f"/pathways/{pathway.public_id}/visits",
                          data={"visit_kind": "leave_visit", "on": monday.isoformat(), "at": "11:00"})
    assert planned.status_code == 302
    assert any(i.kind == "leave_visit" for i in pathway.items)
    off = client.post(f"/pathways/{pathway.public_id}/visits", data={
        "visit_kind": "leave_visit", "on": (monday + timedelta(days=3)).isoformat(), "at": "11:00"})
    assert "That day isn't a home leave day." in page(off)


def test_a_community_meeting_goes_in_the_plan_only_once_the_person_is_out(client, auth, setting):
    """Before release a community meeting is refused with the reason (found from outside: the plan accepted a
    Dundee meeting while the person was still in HMP Perth); on a day of home leave, or from release, it goes in."""
    from recovery_network.meetings.models import Meeting

    pathway = opened(client, auth, setting)
    monday = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)
    assert monday < pathway.release_date
    dundee = db.session.scalar(select(Meeting).where(Meeting.title == "Dundee SMART Monday"))
    add = lambda on: client.post(f"/pathways/{pathway.public_id}/items",  # noqa: E731
                                 data={"meeting_id": dundee.id, "occurrence_date": on.isoformat()})
    refused = page(add(monday))
    assert "Dee is still inside on" in refused and "home leave" in refused
    db.session.expire_all()
    assert not [i for i in pathway.items if i.meeting_id == dundee.id and i.starts_at.date() == monday]
    client.post(f"/pathways/{pathway.public_id}/leave",
                data={"starts_on": monday.isoformat(), "ends_on": monday.isoformat()})
    assert add(monday).status_code == 302
    after = pathway.release_date + timedelta(days=(7 - pathway.release_date.weekday()) % 7 or 7)
    assert add(after).status_code in (302, 200)  # 200 only if the proposal already holds it
    db.session.expire_all()
    dates = {i.starts_at.date() for i in db.session.get(Pathway, pathway.id).items if i.meeting_id == dundee.id}
    assert monday in dates and after in dates


def test_support_extends_in_steps_to_a_limit_and_retention_counts_from_closure(app, client, auth, setting):
    """Four weeks at a time with a reason; the pathway stays open past six weeks, then closes and is kept 90 days."""
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=7)).isoformat())
    for _ in range(standards.MAX_EXTENSIONS):
        assert client.post(f"/pathways/{pathway.public_id}/extend",
                           data={"extension_reason": "housing_not_settled"}).status_code == 302
    over = client.post(f"/pathways/{pathway.public_id}/extend", data={"extension_reason": "handover"})
    assert "already at its limit of 26 weeks" in page(over)
    from recovery_network.pathways.services import close_and_purge

    assert close_and_purge(TODAY + timedelta(weeks=10), 90) == (0, 0)  # six weeks past, but extended
    closed, _ = close_and_purge(TODAY + timedelta(weeks=26), 90)
    db.session.refresh(pathway)
    assert closed == 1 and pathway.purge_after == TODAY + timedelta(weeks=26, days=90)


def test_withdrawn_consent_closes_and_offers_erasure(client, auth, setting):
    """An outcome closes the follow-ups and the pathway; withdrawn consent puts erasure in front of the co-ordinator."""
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=3)).isoformat())
    contact(client, pathway, TODAY, "no_response")
    response = client.post(f"/pathways/{pathway.public_id}/close", data={"close_reason": "withdrew_consent"},
                           follow_redirects=True)
    text_ = page(response)
    assert "withdrew consent: erase everything now" in text_
    db.session.refresh(pathway)
    assert pathway.status == "closed" and all(f.closed_by == "withdrew_consent" for f in pathway.follow_ups)
    assert db.session.scalar(select(PathwayTally.count).where(PathwayTally.measure == "closed_withdrew_consent")) == 1


def test_referral_from_staff_accepted_or_declined_and_erased(app, client, auth, setting, make_person):
    """Staff refer with consent; the co-ordinator accepts (a pathway opens with its details) or declines with a
    reason; a declined one is erased after retention; one waiting over 14 days is flagged."""
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    auth.login(staff)
    form = {"first_name": "Ravi", "establishment_id": setting["prison"].id, "release_date": RELEASE.isoformat(),
            "organisation_id": founding_organisation().id,
            "destination": "Dundee", "referrer_org": "HMP Perth Link Centre", "consent_taken_by": "Gordon R",
            "consent_on": TODAY.isoformat(), "consent_how": "in_person", "consent_given": "y"}
    no_consent = client.post("/referrals/new", data={**form, "consent_given": ""})
    assert "A referral needs the person's consent." in page(no_consent)
    future = client.post("/referrals/new", data={**form, "consent_on": (TODAY + timedelta(days=2)).isoformat()})
    assert "never a future date" in page(future)
    assert client.post("/referrals/new", data=form).status_code == 302
    assert client.post("/referrals/new", data={**form, "first_name": "Lee"}).status_code == 302
    ravi, lee = db.session.scalars(select(Referral).order_by(Referral.id)).all()
    assert client.post(f"/referrals/{ravi.public_id}/accept", data={"mentor_id": setting["mentor"].id}).status_code == 404
    auth.login(setting["coordinator"])
    dashboard = page(client.get("/coordinate/"))
    assert "Referrals waiting (2)" in dashboard and "Ravi, HMP Perth" in dashboard
    accepted = client.post(f"/referrals/{ravi.public_id}/accept", data={
        "mentor_id": setting["mentor"].id, "backup_mentor_id": 0, "community_mentor_id": setting["other"].id})
    assert accepted.status_code == 302
    pathway = db.session.scalar(select(Pathway).where(Pathway.first_name == "Ravi"))
    assert pathway.release_date == RELEASE and pathway.destination == "Dundee" and ravi.pathway_id == pathway.id
    forged = client.post(f"/referrals/{lee.public_id}/decline", data={"decline_reason": "criminal"})
    assert "Choose the reason." in page(forged)
    client.post(f"/referrals/{lee.public_id}/decline", data={"decline_reason": "declined_service"})
    db.session.refresh(lee)
    assert lee.status == "declined" and lee.purge_after == TODAY + timedelta(days=90)
    # Waiting too long: flagged on the dashboard and by the daily job.
    auth.login(staff)
    client.post("/referrals/new", data={**form, "first_name": "Ash"})
    ash = db.session.scalar(select(Referral).where(Referral.first_name == "Ash"))
    ash.received_at -= timedelta(days=15)
    lee.purge_after = TODAY - timedelta(days=1)
    db.session.commit()
    auth.login(setting["coordinator"])
    assert "Waiting more than 14 days" in page(client.get("/coordinate/"))
    result = app.test_cli_runner().invoke(args=["throughcare-daily"])
    assert "1 referrals waiting too long, 1 declined referrals erased" in result.output
    assert db.session.scalar(select(Referral).where(Referral.first_name == "Lee")) is None
    counts = {t.measure: t.count for t in db.session.scalars(select(PathwayTally))}
    assert counts["referrals_received"] == 3 and counts["referrals_accepted"] == 1


def dump_text(skip=("pathway_tallies",)) -> str:
    """Every text and date value of every table but the anonymous tallies, as one string."""
    values = []
    for table in inspect(db.engine).get_table_names():
        if table in skip:
            continue
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            values += [str(v) for v in row if v is not None]
    return "\n".join(values)


def test_erasure_leaves_nothing_of_the_person_in_any_table(client, auth, setting, make_person):
    """Plan text, referral, follow-ups, leave dates, contacts, visits: all gone; the tallies hold no person."""
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    auth.login(staff)
    client.post("/referrals/new", data={
        "first_name": "Zephyrine", "establishment_id": setting["prison"].id, "release_date": RELEASE.isoformat(),
        "organisation_id": founding_organisation().id,
        "destination": "Dundee", "referrer_org": "Quillfeather Trust", "consent_taken_by": "Gordon R",
        "consent_on": TODAY.isoformat(), "consent_how": "phone", "consent_given": "y"})
    referral = db.session.scalar(select(Referral))
    auth.login(setting["coordinator"])
    client.post(f"/referrals/{referral.public_id}/accept", data={
        "mentor_id": setting["mentor"].id, "community_mentor_id": setting["other"].id})
    pathway = db.session.scalar(select(Pathway))
    pid = pathway.public_id
    leave_day = TODAY + timedelta(days=2)
    client.post(f"/pathways/{pid}/plan-areas", data={"area": "housing", "agreed": "Marblewick tenancy",
                                                      "who": "agency", "agency": "Orrinshaw Housing",
                                                      "status": "in_hand"})
    client.post(f"/pathways/{pid}/leave", data={"starts_on": leave_day.isoformat(), "ends_on": leave_day.isoformat()})
    client.post(f"/pathways/{pid}/visits", data={"visit_kind": "agency_visit", "on": TODAY.isoformat(), "at": "10:00"})
    contact(client, pathway, TODAY, "no_response")
    contact(client, pathway, TODAY, "no_response")
    # Shared with another organisation, with consent: the consent and the share go with the pathway.
    tayside = Organisation(name="Tayside Throughcare", kind="throughcare")
    db.session.add(tayside)
    db.session.commit()
    assert client.post(f"/pathways/{pid}/shares", data={"share_with": tayside.id, "share_kind": "share",
                                                         "include_contacts": "y", "consent_given": "y"}
                       ).status_code == 303
    assert db.session.execute(text("SELECT count(*) FROM pathway_shares")).scalar() == 1
    before = dump_text()
    for secret in ("Zephyrine", "Marblewick", "Orrinshaw", "Quillfeather", leave_day.isoformat()):
        assert secret in before, secret
    assert client.post(f"/pathways/{pid}/erase").status_code == 303
    db.session.expire_all()
    after = dump_text()
    for secret in ("Zephyrine", "Marblewick", "Orrinshaw", "Quillfeather", pid, leave_day.isoformat(),
                   RELEASE.isoformat()):
        assert secret not in after, secret
    for table in ("pathways", "pathway_items", "contact_records", "pathway_plan_areas", "pathway_follow_ups",
                  "pathway_home_leave", "pathway_extensions", "pathway_referrals", "feed_tokens",
                  "pathway_shares"):
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    # What survives: counts by month, prison and area — nothing finer.
    tallies = {(t.measure, t.establishment) for t in db.session.scalars(select(PathwayTally))}
    assert ("erased", "HMP Perth") in tallies and ("escalations", "HMP Perth") in tallies
    assert {c["name"] for c in inspect(db.engine).get_columns("pathway_tallies")} == {
        "id", "month", "measure", "establishment", "area", "count"}


def test_figures_publish_big_numbers_and_hide_small_ones_by_pattern(client, auth, setting, app_ctx):
    """Counts of 5 or more show; a measure with any count under 5 is withheld in both splits and its total, and
    the page and CSV read the same whether the small count is 0 or 3 (Perth 5 and Low Moss 0 vs Low Moss 3)."""
    from recovery_network.pathways.tallies import tally

    months = [TODAY.replace(day=1) - timedelta(days=40), TODAY.replace(day=1)]
    for month, small in zip(months, (0, 3), strict=True):
        tally("opened", month, ("HMP Perth", "Dundee City"), 5)
        tally("opened", month, ("HMP Low Moss", "Dundee City"), small)
        tally("referrals_received", month, ("HMP Perth", "Dundee City"), 6)
        tally("referrals_received", month, ("HMP Low Moss", "Fife"), 8)
    db.session.commit()
    auth.login(setting["coordinator"])
    rows = [line.split(",") for line in client.get("/pathways/figures.csv").get_data(as_text=True).splitlines()[1:]]
    by_month = [{(split, group, measure): value for m, split, group, measure, value in rows
                 if m == month.strftime("%Y-%m")} for month in months]
    assert by_month[0] == by_month[1]
    cells = by_month[1]
    assert cells[("establishment", "HMP Low Moss", "opened")] == "<5"
    assert cells[("establishment", "HMP Perth", "opened")] == "x"
    assert cells[("establishment", "Total", "opened")] == "x" == cells[("area", "Total", "opened")]
    assert cells[("area", "Dundee City", "opened")] == "x"
    assert cells[("area", "Dundee City", "referrals_received")] == "6"
    assert cells[("area", "Fife", "referrals_received")] == "8"
    assert cells[("establishment", "Total", "referrals_received")] == "14"
    text = page(client.get("/pathways/figures"))
    tables = [section.split("</table>")[0] for section in text.split('<table class="figures">')[1:]]
    assert len(tables) == 4 and tables[0] == tables[2] and tables[1] == tables[3]
    figures = page(client.get("/pathways/figures"))
    assert figures.count("<svg") == 2 and "<title id=\"chart-trend-title\">" in figures
    assert "http" not in figures[figures.index("<svg"):figures.rindex("</svg>")].replace(
        "http://www.w3.org/2000/svg", "")
