"""Throughcare routes on the pathways blueprint: the integration plan, visits, home leave, extensions, closing."""

from __future__ import annotations

from datetime import date

from flask import abort, flash
from flask_login import current_user
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.meetings.forms import suffix_ids
from recovery_network.meetings.models import Meeting
from recovery_network.pathways import followups, services, sharing, standards, support
from recovery_network.pathways.forms import CONTACT_MODE_NAMES
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.throughcare_forms import CloseForm, ExtendForm, LeaveForm, PlanAreaForm, VisitForm
from recovery_network.pathways.throughcare_models import EXTENSION_REASONS, PLAN_AREAS, PLAN_STATUSES, HomeLeave
from recovery_network.organisations.access import may_act_for, within
from recovery_network.pathways.views import _apply, bp, pathway_or_404, render_pathway, retention_days
from recovery_network.pathways.plan_views import item_or_404
from recovery_network.types import utcnow


def area_form(pathway: Pathway, code: str, failed: PlanAreaForm | None = None) -> PlanAreaForm:
    """The form for one area of the plan, filled from what is agreed, with ids unique on the page."""
    if failed is None:
        row = next((a for a in pathway.plan_areas if a.area == code), None)
        failed = PlanAreaForm(formdata=None, area=code, agreed=row.agreed if row else "",
                              who=row.who if row else "person", agency=row.agency if row else "",
                              due_on=row.due_on if row else None, status=row.status if row else "to_do")
    return suffix_ids(failed, f"area-{code}")


def throughcare_context(pathway: Pathway, today: date, forms: dict) -> dict:
    """What the pathway page shows beyond the plan: standards, integration plan, follow-ups, visits, leave."""
    failed_area = forms.get("area_code")
    suggestions = support.leave_suggestions(pathway) if pathway.status == "open" else {}
    return {
        "standings": standards.standards(pathway.release_date, today, sharing.contacts_seen(pathway, current_user)),
        "notes_begin": sharing.notes_begin(pathway, current_user),
        "plan_area_names": PLAN_AREAS, "plan_statuses": PLAN_STATUSES,
        "plan_rows": {a.area: a for a in pathway.plan_areas},
        "area_form_for": lambda code: area_form(pathway, code, forms.get("area_form") if code == failed_area else None),
        "failed_area": failed_area,
        "open_follow_ups": followups.open_follow_ups(pathway),
        "mode_names": CONTACT_MODE_NAMES,
        "visit_form": forms.get("visit_form") or VisitForm(formdata=None),
        "leave_form": forms.get("leave_form") or LeaveForm(formdata=None),
        "leave_suggestions": suggestions,
        "leave_meetings": {m.id: m for m in db.session.scalars(select(Meeting).where(
            Meeting.id.in_({s.key[0] for slots in suggestions.values() for s in slots})))},
        "extend_form": forms.get("extend_form") or ExtendForm(formdata=None),
        "extension_names": EXTENSION_REASONS,
        "may_extend": standards.may_extend(len(pathway.extensions)) and today >= pathway.release_date,
        "support_end": standards.support_end(pathway.release_date, len(pathway.extensions)),
        "close_form": forms.get("close_form") or CloseForm(formdata=None),
        "offer_erasure": forms.get("offer_erasure", False) or pathway.close_reason == "withdrew_consent",
    }


@bp.post("/<public_id>/plan-areas")
def plan_area(public_id: str):
    """Agree one area of the community integration plan."""
    pathway = pathway_or_404(public_id)
    form = PlanAreaForm()
    code = form.area.data if form.area.data in PLAN_AREAS else None
    if not form.validate():
        return render_pathway(pathway, area_form=form, area_code=code,
                              error=None if code else "Choose an area of the plan."), 422
    entry = support.AreaPlan(form.area.data, form.agreed.data or "", form.who.data, form.agency.data or "",
                             form.due_on.data, form.status.data)
    return _apply(pathway, lambda: support.set_area(pathway, entry, current_user), "Plan saved.",
                  form, "area_form", area_code=code)


@bp.post("/<public_id>/visits")
def visit(public_id: str):
    """Plan a meeting with the community mentor before release (an agency visit, or on home leave)."""
    pathway = pathway_or_404(public_id)
    form = VisitForm()
    if not form.validate():
        return render_pathway(pathway, visit_form=form), 422
    return _apply(pathway, lambda: support.add_visit(pathway, form.visit_kind.data, form.on.data, form.at.data,
                                                     current_user, utcnow().date()), "Visit planned.",
                  form, "visit_form")


@bp.post("/<public_id>/items/<int:item_id>/happened")
def visit_happened(public_id: str, item_id: int):
    """A planned visit took place: it is recorded as a contact."""
    pathway = pathway_or_404(public_id)
    item = item_or_404(pathway, item_id)
    return _apply(pathway, lambda: support.visit_happened(pathway, item, current_user, utcnow().date()),
                  "Visit recorded as a contact.")


@bp.post("/<public_id>/leave")
def leave(public_id: str):
    """Record home leave days before liberation."""
    pathway = pathway_or_404(public_id)
    form = LeaveForm()
    if not form.validate():
        return render_pathway(pathway, leave_form=form), 422
    return _apply(pathway, lambda: support.add_leave(pathway, form.starts_on.data, form.ends_on.data, current_user,
                                                     utcnow().date()), "Home leave recorded.",
                  form, "leave_form")


@bp.post("/<public_id>/leave/<int:leave_id>/remove")
def remove_leave(public_id: str, leave_id: int):
    """Take home leave off the pathway."""
    pathway = pathway_or_404(public_id)
    found = db.session.get(HomeLeave, leave_id)
    if found is None or found.pathway_id != pathway.id:
        abort(404)
    return _apply(pathway, lambda: support.remove_leave(pathway, found, current_user), "Home leave removed.")


@bp.post("/<public_id>/extend")
def extend(public_id: str):
    """Four more weeks of support, by agreement."""
    pathway = pathway_or_404(public_id)
    form = ExtendForm()
    if not form.validate():
        return render_pathway(pathway, extend_form=form), 422
    return _apply(pathway, lambda: support.extend(pathway, form.extension_reason.data, current_user,
                                                  utcnow().date()), "Support extended by four weeks.",
                  form, "extend_form")


@bp.post("/<public_id>/close")
def close(public_id: str):
    """Close with how it ended; withdrawn consent then offers erasure on the same page."""
    pathway = pathway_or_404(public_id)
    form = CloseForm()
    if not form.validate():
        return render_pathway(pathway, close_form=form), 422
    response = _apply(pathway, lambda: services.close(pathway, utcnow().date(), retention_days(), current_user,
                                                      form.close_reason.data), "The pathway is closed.",
                      form, "close_form")
    if form.close_reason.data == "withdrew_consent":
        flash("They withdrew consent: you can erase everything now, below.", "info")
    return response


def dashboard_rows(today: date) -> list[tuple[Pathway, list]]:
    """Open pathways the co-ordinator's organisations own, with their standards, for their dashboard."""
    pathways = db.session.scalars(select(Pathway).where(Pathway.status == "open",
                                                        within(current_user, Pathway.organisation_id))
                                  .order_by(Pathway.release_date))
    return [(p, standards.standards(p.release_date, today, sharing.contacts_seen(p, current_user))) for p in pathways]


@bp.app_template_global()
def throughcare_dashboard() -> dict:
    """The co-ordinator's throughcare panel (included by coordination/index.html): escalations, referrals waiting,
    overdue follow-ups and each open pathway's standards."""
    from recovery_network.pathways import referrals

    today = utcnow().date()
    # Each co-ordinator sees their own organisations' escalations and overdue follow-ups (organisations/access.py).
    return {"escalations": [f for f in followups.escalations()
                            if may_act_for(current_user, f.pathway.organisation_id)],
            "waiting": referrals.waiting(today, current_user),
            "overdue": [o for o in followups.overdue(today) if may_act_for(current_user, o.pathway.organisation_id)],
            "rows": dashboard_rows(today), "today": today}
