"""Each plan area has one proper label ("Health and GP"), used as written on the page, in the pack and PDF, and
the figures' headings keep their capitals: nothing is lower-cased into "health and gp"."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from pypdf import PdfReader

from recovery_network.extensions import db
from recovery_network.pathways.throughcare_models import PLAN_AREAS
from tests.pathways.conftest import TODAY
from tests.pathways.test_throughcare import opened

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pathways"


def texts(pattern: str, page: str) -> list[str]:
    """The text inside every match of a tag pattern, tags stripped and entities decoded."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", m)).split()) for m in re.findall(pattern, page, re.S)]


def test_every_area_heading_on_the_pathway_page_uses_its_label(client, auth, setting):
    """Row headings, the summaries that open each form and the buttons say "Health and GP", never "health and gp"."""
    pathway = opened(client, auth, setting)
    page = client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True)
    rows = texts(r'<tr id="plan-[a-z]+">\s*<th scope="row">(.*?)</th>', page)
    assert rows == list(PLAN_AREAS.values())
    summaries = texts(r"<summary>(.*?)</summary>", page)
    buttons = texts(r'<button type="submit">(.*?)</button>', page)
    for label in PLAN_AREAS.values():
        assert f"Agree the plan for {label}" in summaries
        assert f"Save the plan for {label}" in buttons
    assert "Agree the plan for Health and GP" in summaries and not any("gp" in s for s in summaries + buttons)


def test_the_pack_and_pdf_print_the_label(client, auth, setting):
    """Agreed areas are printed under their label in the pack and the PDF."""
    pathway = opened(client, auth, setting)
    for area in ("health", "justice"):
        assert client.post(f"/pathways/{pathway.public_id}/plan-areas", data={
            "area": area, "agreed": "Register on day one", "who": "person", "status": "to_do"}).status_code == 302
    printed = client.post(f"/pathways/{pathway.public_id}/pack").get_data(as_text=True)
    headings = texts(r"<th[^>]*>(.*?)</th>", printed)
    assert "Health and GP" in headings and "Justice (licence, justice social work)" in headings
    pdf = client.post(f"/pathways/{pathway.public_id}/pack.pdf").data
    words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Health and GP" in words and "health and gp" not in words


def test_figures_headings_keep_their_capitals(client, auth, setting, app_ctx):
    """"By establishment, November 2026": the split's label as written."""
    from recovery_network.pathways.tallies import tally

    tally("opened", TODAY, ("HMP Perth", "Dundee City"), 6)
    db.session.commit()
    auth.login(setting["coordinator"])
    page = client.get("/pathways/figures").get_data(as_text=True)
    month = TODAY.strftime("%B %Y")
    assert texts(r"<h2 id=\"t-[^\"]+\">(.*?)</h2>", page) == [f"By destination area, {month}",
                                                              f"By establishment, {month}"]


def test_no_pathway_template_lower_cases_a_label():
    """The class of the bug: a label piped through |lower loses its capitals ("GP", place names)."""
    for template in TEMPLATES.glob("*.html"):
        assert "|lower" not in template.read_text(), template.name
