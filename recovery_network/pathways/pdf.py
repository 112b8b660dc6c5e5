"""The liberation pack as a PDF: A4, large plain type, the QR drawn as squares; same pack in, same bytes out.

No Flask and no database: it renders a pack.Pack. The document's metadata says only "My plan", so a
file left on a shared computer doesn't give away whose it is or where they were released from.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from recovery_network.pathways.pack import NALOXONE, SAMARITANS, Pack, PackEntry, short_date

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=11.5, leading=14.5, alignment=TA_LEFT)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=10.5, leading=13)
STRONG = ParagraphStyle("strong", parent=BODY, fontName="Helvetica-Bold")
QUIET = ParagraphStyle("quiet", parent=BODY, textColor=colors.HexColor("#333333"))
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=22, leading=26, spaceAfter=2)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18,
                         spaceBefore=8, spaceAfter=4)
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")
QR_SIZE = 38 * mm


class QRCode(Flowable):
    """A QR code drawn module by module as filled squares (no image library), with its quiet zone."""

    def __init__(self, matrix: list[list[bool]], size: float = QR_SIZE, border: int = 4) -> None:
        """Four light modules all round: the quiet zone scanners need to find the code."""
        super().__init__()
        self.matrix, self.size, self.border = matrix, size, border
        self.width = self.height = size

    def draw(self) -> None:
        """One rectangle per horizontal run of dark modules, top row first."""
        modules = len(self.matrix) + 2 * self.border
        unit = self.size / modules
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for y, row in enumerate(self.matrix):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                run = x
                while run < len(row) and row[run]:
                    run += 1
                top = self.size - (y + self.border + 1) * unit
                canvas.rect((x + self.border) * unit, top, (run - x) * unit, unit, stroke=0, fill=1)
                x = run


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped: names and addresses are data, not markup)."""
    return Paragraph(escape(text), style)


def _alert(text: str) -> Table:
    """A boxed line that must not be missed (beside the QR code, where the header has room)."""
    box = Table([[_p(text, STRONG)]])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, colors.black), ("LEFTPADDING", (0, 0), (-1, -1), 5)]))
    return box


def _day_label(label: str) -> Paragraph:
    """Dates never break inside ('Tue 3 Nov'); a run of days may break after its dash."""
    return _p(label.replace(" ", "\xa0").replace("\xa0–\xa0", "\xa0– "), STRONG)


def _header(pack: Pack) -> Table:
    """Who it's for, how to reach the mentor, and the calendar QR beside it."""
    contacts = [
        _p("My first six weeks", TITLE),
        _p(f"For {pack.first_name}, from {short_date(pack.release)} to {short_date(pack.last_day)}"),
        Spacer(1, 6),
        _p(f"Your mentor: {pack.mentor}", STRONG),
        _p(pack.contact_line),
        Spacer(1, 4),
        _p(f"Samaritans, free, day or night: {SAMARITANS}", STRONG),
        _p("In an emergency: 999"),
        Spacer(1, 6),
        _alert(NALOXONE),
    ]
    if pack.qr:
        side = [QRCode(pack.qr), _p("Scan with a phone camera to add this plan to your calendar.", SMALL)]
    else:
        side = [_p("No calendar QR code: a calendar link is only made if you ask for one.", SMALL)]
    table = Table([[contacts, side]], colWidths=[None, QR_SIZE + 6 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, -1), 6 * mm), ("RIGHTPADDING", (1, 0), (1, -1), 0)]))
    return table


def _entry_cells(entry: PackEntry) -> list:
    """Time, then what happens, where, and anything the mentor still has to confirm."""
    what = [_p(entry.what, STRONG)] + [_p(detail) for detail in (entry.address, entry.note) if detail]
    return [_p(entry.time or "—", STRONG), what]


def _days(pack: Pack) -> Table:
    """Every day from release to six weeks out; a day with two things has two rows, empty runs one quiet line."""
    rows = [[_p("Day", STRONG), _p("Time", STRONG), _p("What and where", STRONG)]]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
             ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE)]
    for day in pack.days:
        first = len(rows)
        if not day.entries:
            rows.append([_day_label(day.label), _p(day.note, QUIET), ""])
            style.append(("SPAN", (1, first), (2, first)))
        for n, entry in enumerate(day.entries):
            rows.append([_day_label(day.label) if n == 0 else "", *_entry_cells(entry)])
        last = len(rows) - 1
        if last > first:
            style.append(("SPAN", (0, first), (0, last)))
        style.append(("LINEBELOW", (0, last), (-1, last), 0.5, RULE))
    table = Table(rows, colWidths=[50 * mm, 15 * mm, None], repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _plan(pack: Pack) -> list[Flowable]:
    """What was agreed before release, area by area, in the words agreed with the person."""
    rows = [[_p("Area", STRONG), _p("What we agreed", STRONG), _p("Who", STRONG), _p("By", STRONG)]]
    for line in pack.plan:
        rows.append([_p(line.area, STRONG), [_p(line.agreed), _p(line.status, QUIET)], _p(line.who), _p(line.by_when)])
    table = Table(rows, colWidths=[45 * mm, None, 35 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)]))
    return [Spacer(1, 8), _p("What we agreed", HEADING), table]


def _places(pack: Pack) -> list[Flowable]:
    """How to get to each place, described once; the heading travels with the first place."""
    blocks = []
    for place in pack.places:
        block: list[Flowable] = [_p(place.address, STRONG), _p(place.directions or "Ask your mentor for directions.")]
        if place.accessibility:
            block.append(_p(place.accessibility, SMALL))
        blocks.append(block + [Spacer(1, 6)])
    blocks[0] = [_p("How to get there", HEADING), *blocks[0]]
    return [KeepTogether(block) for block in blocks]


def _online(pack: Pack) -> list[Flowable]:
    """No meeting near home: say so plainly, and list the online meetings to try instead."""
    block: list[Flowable] = [_p("Meetings near you", HEADING), _p(pack.nothing_near, STRONG)]
    for option in pack.online:
        block += [_p(f"{option.what}: {option.when}", STRONG), _p(option.link, SMALL)]
    return [KeepTogether(block + [Spacer(1, 6)])]


def _footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """Page number and the one number to call, on every page."""
    canvas.saveState()
    canvas.setFont("Helvetica", 9.5)
    canvas.drawString(doc.leftMargin, 10 * mm, f"Page {doc.page}. Lost this? Call or text {doc.phone}.")
    canvas.restoreState()


def render_pdf(pack: Pack) -> bytes:
    """A4, one or two pages; invariant=1 fixes the creation date and file id so output is reproducible."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=13 * mm, bottomMargin=16 * mm,
        title="My plan", author="", subject="", creator="", producer="", keywords="", invariant=1, lang="en-GB",
    )
    doc.phone = pack.phone
    story: list[Flowable] = [_header(pack), Spacer(1, 10), _days(pack)]
    if pack.nothing_near:
        story += _online(pack)
    if pack.plan:
        story += _plan(pack)
    if pack.places:
        story += _places(pack)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
