"""Naming a pathway's mentors again, on the pathway page: the owning organisation's co-ordinators only.

The pickers list who can mentor on the pathway's dates among the organisation's people (pathways/pickers.py);
?others=1 lists the rest with why not. Routes live on the pathways blueprint (imported at the end of views.py).
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.organisations.access import may_act_for
from recovery_network.pathways.assignment import change_mentors
from recovery_network.pathways.forms import MentorsForm
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.pickers import set_pickers
from recovery_network.pathways.views import _apply, bp, pathway_or_404, render_pathway


def may_name_mentors(pathway: Pathway) -> bool:
    """The co-ordinators of the organisation that owns an open pathway (admins too) name its mentors."""
    return pathway.status == "open" and may_act_for(current_user, pathway.organisation_id)


def mentors_context(pathway: Pathway, forms: dict) -> dict:
    """For the pathway page: the mentors form with eligible-only pickers, for those who may use it."""
    if not may_name_mentors(pathway):
        return {"mentors_form": None}
    form = forms.get("mentors_form") or MentorsForm(
        formdata=None, mentor_id=pathway.mentor_id or 0, backup_mentor_id=pathway.backup_mentor_id or 0,
        community_mentor_id=pathway.community_mentor_id or 0)
    show_others = bool(request.values.get("others"))
    pickers = set_pickers(form, pathway.establishment_id, pathway.release_date, show_others, pathway.organisation_id)
    # Whoever mentors now stays in the list even if no longer eligible, so the form shows the truth.
    for name in ("mentor_id", "backup_mentor_id", "community_mentor_id"):
        current = getattr(pathway, name)
        if current and current not in {value for value, _ in form[name].choices}:
            form[name].choices.append((current, f"{db.session.get(Person, current).display_name} (now)"))
    return {"mentors_form": form, "mentor_pickers": pickers, "mentors_show_others": show_others}


def _person(person_id: int | None) -> Person | None:
    """The chosen person (0 or nothing is "None")."""
    return db.session.get(Person, person_id) if person_id else None


@bp.post("/<public_id>/mentors")
def mentors(public_id: str):
    """Name the mentors: the same rules as opening, among the owning organisation's people; refused beside the field."""
    pathway = pathway_or_404(public_id)
    if not may_name_mentors(pathway):
        abort(404)
    form = MentorsForm()
    set_pickers(form, pathway.establishment_id, pathway.release_date, True, pathway.organisation_id)
    if not form.validate():
        return render_pathway(pathway, mentors_form=form), 422
    return _apply(pathway, lambda: change_mentors(pathway, _person(form.mentor_id.data),
                                                  _person(form.backup_mentor_id.data),
                                                  _person(form.community_mentor_id.data), current_user),
                  "Mentors saved.", form, "mentors_form")
