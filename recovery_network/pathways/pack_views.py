"""The liberation pack (a printable page and a PDF) for the mentor to hand over, and the funders' figures."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_login import current_user

from recovery_network.accounts.models import COORDINATOR
from recovery_network.accounts.permissions import require_role
from recovery_network.audit.services import record
from recovery_network.extensions import db, login_manager
from recovery_network.pathways import feeds, liberation
from recovery_network.pathways import figures as funders
from recovery_network.pathways.chart import bar_chart
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.pack import NALOXONE, SAMARITANS, Pack, qr_svg
from recovery_network.pathways.views import pathway_or_404

bp = Blueprint("pack", __name__, url_prefix="/pathways")  # nested in pathways: endpoints pathways.pack.*


@bp.before_request
def logged_in() -> None:
    """Packs and figures are for mentors and co-ordinators; the person gets the pack on paper."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def new_calendar_link(pathway: Pathway) -> str | None:
    """Each printed pack gets its own working link, audited; none without calendar consent or once closed."""
    if not liberation.wants_calendar(pathway):
        return None
    token = feeds.issue_token(pathway)
    record("pathway.feed_link", current_user, pathway, detail="pack")
    return url_for("pathways.feed", token=token, _external=True)


def pack_for(public_id: str) -> tuple[Pathway, Pack]:
    """The pathway (access-checked and its view audited) and its pack, with the new link committed."""
    pathway = pathway_or_404(public_id)
    pack = liberation.build_pack(pathway, current_app.config["NETWORK_PHONE"], new_calendar_link(pathway))
    db.session.commit()  # keep the audit rows and the link the QR code points at
    return pathway, pack


@bp.post("/<public_id>/pack")
def pack(public_id: str):
    """The pack as one printable page: days, places, contacts, and the calendar QR code (a POST: it issues a link)."""
    pathway, content = pack_for(public_id)
    svg = qr_svg(content.calendar_url) if content.calendar_url else None
    return render_template("pathways/pack.html", pathway=pathway, pack=content, qr_svg=svg,
                           samaritans=SAMARITANS, naloxone=NALOXONE)


@bp.post("/<public_id>/pack.pdf")
def pack_pdf(public_id: str):
    """The same pack as a PDF (a POST: it issues a link); the file name never carries the person's name."""
    from recovery_network.pathways.pdf import render_pdf  # reportlab costs 15 MB: load it only to print

    _, content = pack_for(public_id)
    response = Response(render_pdf(content), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="my-plan.pdf"'
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.get("/figures")
def figures():
    """Co-ordinators only: counts by month for funders, split by prison and by area, small numbers suppressed."""
    require_role(COORDINATOR)
    published = funders.figures()
    labels = [funders.month_name(m)[:3] + " " + m[2:4] for m in published.months]

    def series(*measures: str) -> list[tuple[str, list[str]]]:
        return [(funders.MEASURES[k], [published.totals[(m, k)] for m in published.months]) for k in measures]

    trend = series("referrals_received", "opened", "escalations")
    met = series("pre_release_two", "gate_met", "seen_within_two")
    charts = [("trend", "Referrals, pathways opened and escalations by month", trend),
              ("standards", "Contact standards met by month", met)]
    return render_template(
        "pathways/figures.html", figures=published, measures=funders.MEASURES, splits=funders.SPLITS,
        month_name=funders.month_name, labels=labels,
        charts=[(key, title, rows, bar_chart(f"chart-{key}", title, labels, rows)) for key, title, rows in charts])


@bp.get("/figures.csv")
def figures_csv():
    """The same suppressed counts as CSV: month, split, group, measure, value ("<5" and "x" as on the page)."""
    require_role(COORDINATOR)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("month", "split", "group", "measure", "value"))
    writer.writerows(funders.figures().csv_rows())
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="pathway-figures.csv"'
    return response
