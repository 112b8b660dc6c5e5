"""The liberation pack's pure parts: every day accounted for, places once, the QR matrix, reproducible PDFs."""

from __future__ import annotations

import io
from datetime import date, timedelta

import segno
from pypdf import PdfReader

from recovery_network.pathways.pack import Pack, PackEntry, pack_days, places, qr_matrix
from recovery_network.pathways.pdf import render_pdf

RELEASE = date(2026, 11, 3)  # a Tuesday; the six weeks run into December
HALL = "West End Hall, 130 Perth Road, Dundee, DD1 4JW"


def entries() -> list[PackEntry]:
    """A gate meeting, an appointment, a weekly meeting, and one item outside the six weeks."""
    weekly = [PackEntry(RELEASE + timedelta(days=6 + 7 * w), "18:00", "SMART Recovery meeting", HALL,
                        "Bus 5 or 9 along Perth Road.") for w in range(6)]
    return [
        PackEntry(RELEASE, "09:00", "Meet Jamie at the gate"),
        PackEntry(RELEASE + timedelta(days=1), "", "Housing appointment",
                  note="Jamie will confirm the time and place."),
        PackEntry(RELEASE + timedelta(days=1), "14:00", "Recovery café", "Hub, 1 Hill St, Dundee", "Walk up Hill St."),
        PackEntry(RELEASE + timedelta(days=60), "10:00", "Too late to print"),
        *weekly,
    ]


def test_every_day_of_the_six_weeks_is_accounted_for_once():
    """Release day to release + 42, no gaps and no overlaps; empty runs are one line with the mentor's name."""
    days = pack_days(RELEASE, entries(), "Jamie")
    covered = []
    for day in days:
        covered += [day.first + timedelta(days=n) for n in range((day.last - day.first).days + 1)]
        assert bool(day.entries) != bool(day.note)
        if not day.entries:
            assert day.note == "No plans — call Jamie if you need to"
    assert covered == [RELEASE + timedelta(days=n) for n in range(43)]
    assert all(e.what != "Too late to print" for d in days for e in d.entries)
    assert len(days) < 20  # compressed enough to fit on paper


def test_labels_read_like_a_printed_list():
    """Single days, runs within a month, and runs across a month end."""
    days = pack_days(RELEASE, entries(), "Jamie")
    labels = [d.label for d in days]
    assert labels[0] == "Tue 3 Nov" and labels[1] == "Wed 4 Nov"
    assert "Thu 5 – Sun 8 Nov" in labels
    assert labels[-1] == "Tue 15 Dec"
    across = pack_days(date(2026, 11, 27), [], "Jamie")
    assert [d.label for d in across] == ["Fri 27 Nov – Fri 8 Jan"]


def test_a_days_entries_are_in_time_order_with_unconfirmed_times_last():
    """The housing placeholder has no time yet, so it follows the 14:00 café."""
    day = pack_days(RELEASE, entries())[1]
    assert [e.what for e in day.entries] == ["Recovery café", "Housing appointment"]


def test_each_place_is_described_once_in_the_order_first_visited():
    """The weekly hall appears six times in the days but once under 'How to get there'."""
    found = places(entries())
    assert [p.address for p in found] == ["Hub, 1 Hill St, Dundee", HALL]
    assert found[1].directions == "Bus 5 or 9 along Perth Road."


def test_qr_matrix_is_segnos_medium_correction_code():
    """The drawn modules are exactly the standard QR (never a Micro QR) for the link."""
    url = "http://localhost/pathways/feed/" + "x" * 43 + ".ics"
    code = segno.make(url, error="m")
    assert not code.is_micro
    assert qr_matrix(url) == [[bool(m) for m in row] for row in code.matrix]


def sample_pack(url: str | None = "http://localhost/pathways/feed/abc.ics") -> Pack:
    """A pack as the view would build it."""
    return Pack("Dee", "Jamie", "Alex", "0300 000 0000", RELEASE, pack_days(RELEASE, entries(), "Jamie"),
                places(entries()), url, qr_matrix(url) if url else [])


def test_same_pack_gives_the_same_pdf_bytes():
    """invariant=1: no timestamps or random ids, so a pack can be checked and cached."""
    assert render_pdf(sample_pack()) == render_pdf(sample_pack())
    assert render_pdf(sample_pack()) != render_pdf(sample_pack("http://localhost/pathways/feed/other.ics"))


def test_pdf_metadata_gives_nothing_away():
    """Title 'My plan', no author, no name; one or two A4 pages."""
    reader = PdfReader(io.BytesIO(render_pdf(sample_pack())))
    meta = reader.metadata
    assert meta.title == "My plan"
    assert not meta.author
    assert "Dee" not in " ".join(str(v) for v in meta.values())
    assert 1 <= len(reader.pages) <= 2
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)


def test_pdf_text_has_the_days_places_and_contacts():
    """Readable with no phone: dates, addresses, directions, the mentor and the network's number."""
    reader = PdfReader(io.BytesIO(render_pdf(sample_pack(None))))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for day in pack_days(RELEASE, entries(), "Jamie"):
        assert day.label in text
    for words in (HALL, "Bus 5 or 9 along Perth Road.", "Call or text 0300 000 0000 and ask for Jamie.",
                  "If Jamie is away, ask for Alex.", "116 123", "Naloxone", "My first six weeks", "For Dee",
                  "No calendar QR code"):
        assert words in text, words
