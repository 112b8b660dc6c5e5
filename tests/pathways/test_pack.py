"""The liberation pack and funders' figures through the screens: content, QR link, PDF, access, counts only."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, time, timedelta

import pytest
import segno
from pypdf import PdfReader
from sqlalchemy import select

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.services import cancel_occurrence
from recovery_network.pathways import planning, services
from recovery_network.feeds.models import FeedToken
from recovery_network.venues.geo import Point
from tests.pathways.conftest import RELEASE, TODAY

DUNDEE = Point(56.4620, -2.9707)
HALL = "West End Hall, 130 Perth Road, Dundee, DD1 4JW"
DAY = re.compile(r"(?:\w{3} (?P<d1>\d{1,2})(?: (?P<m1>\w{3}))? – )?\w{3} (?P<d2>\d{1,2}) (?P<m2>\w{3})")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.fixture
def with_cafe(setting, make_venue, make_meeting):
    """A nearer Dundee venue with access notes (the weekly pick), so the pack has two places to describe."""
    hub = make_venue(name="Dundee Recovery Hub", lat=56.4630, lon=-2.9720, town="Dundee", address="12 Ward Road",
                     postcode="DD1 1NE", directions="Two minutes from the bus station.", step_free=True,
                     accessibility="Lift to the first floor.")
    make_meeting("Hub Wednesday SMART", venue=hub, weekday=2, start_time=time(13, 0))
    return setting


def open_pathway(setting, *, scope: str = "plan,calendar", first_name: str = "Dee", release: date = RELEASE):
    """Open a pathway through the service, as the co-ordinator, and commit it."""
    details = services.PathwayDetails(
        first_name=first_name, establishment=setting["prison"], release_date=release, destination="Dundee",
        destination_point=DUNDEE, mentor=setting["mentor"], backup_mentor=None, consent_scope=scope,
    )
    pathway = services.open_pathway(details, setting["coordinator"], TODAY)
    db.session.commit()
    return pathway


def page_text(response) -> str:
    """The response as text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def article(page: str) -> str:
    """Only the part that is printed and handed over."""
    return page[page.index('<article class="pack"'):page.index("</article>")]


def covered_dates(labels: list[str], start: date) -> list[date]:
    """Turn 'Tue 3 Nov' and 'Wed 4 – Fri 6 Nov' labels back into dates (year inferred from the release)."""
    found = []
    for label in labels:
        m = DAY.fullmatch(label)
        assert m, label
        last = _date(int(m["d2"]), m["m2"], start)
        first = _date(int(m["d1"]), m["m1"] or m["m2"], start) if m["d1"] else last
        found += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return found


def _date(day: int, month: str, start: date) -> date:
    """The first such date on or after the release's year start."""
    for year in (start.year, start.year + 1):
        candidate = date(year, MONTHS.index(month) + 1, day)
        if candidate >= start:
            return candidate
    raise AssertionError(month)


def svg_matrix(svg: str) -> list[list[bool]]:
    """Read the modules back out of segno's SVG path (M/m moves, h runs), dropping the 4-module quiet zone."""
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)  # the dark modules, not the light ground
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + n, int(y)) for n in range(int(float(a))))
            x += float(a)
    size = max(max(c for c, _ in dark), max(r for _, r in dark)) - 4 + 1
    return [[(c + 4, r + 4) in dark for c in range(size)] for r in range(size)]


def test_pack_page_lists_the_six_weeks_places_and_contacts(client, auth, with_cafe):
    """Every day from release to six weeks out, the chosen meetings' addresses and directions, the mentor."""
    pathway = open_pathway(with_cafe)
    monday = db.session.scalar(select(Meeting).where(Meeting.title == "Dundee SMART Monday"))
    planning.add_meeting(pathway, monday, RELEASE + timedelta(days=6), with_cafe["mentor"])  # the person's choice
    db.session.commit()
    auth.login(with_cafe["mentor"])
    page = page_text(client.post(f"/pathways/{pathway.public_id}/pack"))
    printed = article(page)
    labels = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', printed)
    assert covered_dates(labels, RELEASE) == [RELEASE + timedelta(days=n) for n in range(43)]
    for words in (HALL, "Bus 5 or 9 along Perth Road.", "Two minutes from the bus station.",
                  "Step-free access. Lift to the first floor.", "SMART Recovery meeting", "Meet Jamie at the gate",
                  "Housing appointment", "Call or text 0300 000 0000 and ask for Jamie.", "116 123",
                  "Naloxone: you should be offered a kit when you leave. Ask for one if not.", "For Dee"):
        assert words in printed, words
    assert "No plans — call Jamie if you need to" in printed
    for secret in ("HMP Perth", pathway.reference, "Session inside"):
        assert secret not in printed
    assert "<title>My plan" in page


def test_pack_qr_is_a_new_working_calendar_link(client, auth, setting):
    """The SVG's modules are segno's code for the printed link, and that link serves the calendar."""
    pathway = open_pathway(setting)
    auth.login(setting["mentor"])
    first = page_text(client.post(f"/pathways/{pathway.public_id}/pack"))
    link = re.search(r'<p class="pack-link"><a href="[^"]+">([^<]+)</a>', first).group(1)
    svg = re.search(r"<svg.*?</svg>", first, re.DOTALL).group(0)
    assert svg_matrix(svg) == [[bool(m) for m in row] for row in segno.make(link, error="m").matrix]
    second = page_text(client.post(f"/pathways/{pathway.public_id}/pack"))
    assert link not in second  # each print issues its own link
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == pathway.id)).all()
    assert actions.count("pathway.view") == 2 and actions.count("pathway.feed_link") == 2
    auth.logout()
    response = client.get(link.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"


def test_without_calendar_consent_there_is_no_qr_and_the_page_says_why(client, auth, setting):
    """No consent, no link: nothing is issued and the pack explains the missing code."""
    pathway = open_pathway(setting, scope="plan")
    auth.login(setting["mentor"])
    printed = article(page_text(client.post(f"/pathways/{pathway.public_id}/pack")))
    assert "<svg" not in printed and "/feed/" not in printed
    assert "No calendar QR code: a calendar link is only made if you ask for one." in printed
    assert db.session.scalar(select(FeedToken)) is None


def pdf_text(body: bytes) -> str:
    """All pages' text with whitespace normalised."""
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages)


def test_pack_pdf_has_the_dates_and_addresses_and_no_prison(client, auth, setting):
    """A download named my-plan.pdf; the six weeks' dates and addresses; no prison, no reference."""
    pathway = open_pathway(setting)
    auth.login(setting["mentor"])
    response = client.post(f"/pathways/{pathway.public_id}/pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-plan.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data()
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    page = article(page_text(client.post(f"/pathways/{pathway.public_id}/pack")))
    labels = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', page)
    assert covered_dates(labels, RELEASE)[-1] == RELEASE + timedelta(days=42)
    for label in labels:
        assert label in text, label
    assert HALL in text and "Bus 5 or 9 along Perth Road." in text and "ask for Jamie" in text
    lowered = text.lower()
    for secret in ("hmp perth", "prison", pathway.reference.lower()):
        assert secret not in lowered, secret
    assert b"HMP" not in body and pathway.reference.encode() not in body


def test_same_pathway_and_link_give_identical_pdf_bytes(app_ctx, setting):
    """Reading the plan from the database is deterministic, and so is the PDF."""
    from recovery_network.pathways.liberation import build_pack
    from recovery_network.pathways.pdf import render_pdf

    pathway = open_pathway(setting)
    link = "http://localhost/pathways/feed/fixed.ics"
    assert render_pdf(build_pack(pathway, "0300 000 0000", link)) == render_pdf(
        build_pack(pathway, "0300 000 0000", link))


def test_a_cancelled_date_says_so_in_the_pack_and_names_the_nearest_other(client, auth, setting):
    """The pack is printed now, so it shows the meetings as they now stand: a cancelled date says so, with the
    nearest other meeting that week, rather than sending the person to a locked door."""
    pathway = open_pathway(setting)
    item = next(i for i in pathway.items if i.kind == "community_meeting")
    meeting = db.session.get(Meeting, item.meeting_id)
    auth.login(setting["mentor"])
    assert "Cancelled" not in article(page_text(client.post(f"/pathways/{pathway.public_id}/pack")))
    cancel_occurrence(meeting, item.occurrence_date, "Hall closed")
    db.session.commit()
    after = article(page_text(client.post(f"/pathways/{pathway.public_id}/pack")))
    assert "Cancelled — the nearest other meeting is" in after


@pytest.mark.parametrize("suffix", ["pack", "pack.pdf"])
def test_only_the_mentor_and_coordinators_get_the_pack(client, auth, setting, suffix):
    """Another mentor gets a 404, anonymous visitors the login page; co-ordinators may print it."""
    pathway = open_pathway(setting)
    url = f"/pathways/{pathway.public_id}/{suffix}"
    response = client.post(url)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    auth.login(setting["other"])
    assert client.post(url).status_code == 404
    auth.logout()
    auth.login(setting["coordinator"])
    assert client.get(url).status_code == 405  # it issues a calendar link, so only a POST makes one
    assert client.post(url).status_code == 200


def test_figures_are_counts_only_and_the_csv_parses(client, auth, setting):
    """Opened, met at the gate, weeks with contact, erased: numbers by month, no names anywhere."""
    released = TODAY - timedelta(days=3)
    dee = open_pathway(setting, first_name="Dee", release=released)
    open_pathway(setting, first_name="Ali")
    services.record_contact(dee, released, "gate", setting["mentor"], TODAY)
    services.erase(dee, setting["coordinator"], TODAY)
    db.session.commit()
    auth.login(setting["coordinator"])
    page = page_text(client.get("/pathways/figures"))
    response = client.get("/pathways/figures.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    for text in (page, body):
        for name in ("Dee", "Ali", "Jamie", "Morag", "RN-"):
            assert name not in text.replace(setting["coordinator"].display_name, ""), name
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["month", "split", "group", "measure", "value"]
    for month, split, group, measure, value in rows[1:]:
        assert re.fullmatch(r"\d{4}-\d{2}", month) and split in ("establishment", "area")
        # Two pathways: every count is small, so every cell is "<5" (or withheld), never the number itself.
        assert value in ("<5", "x"), (group, measure, value)
    measures = {(split, group, measure) for _, split, group, measure, _ in rows[1:]}
    assert ("establishment", "HMP Perth", "opened") in measures and ("establishment", "Total", "gate_met") in measures
    assert "Pathways opened" in page and "&lt;5" not in page and "<5" in page


@pytest.mark.parametrize("url", ["/pathways/figures", "/pathways/figures.csv"])
def test_figures_are_for_coordinators(client, auth, setting, url):
    """A mentor gets a 404; anonymous visitors the login page."""
    assert client.get(url).status_code == 302
    auth.login(setting["mentor"])
    assert client.get(url).status_code == 404
