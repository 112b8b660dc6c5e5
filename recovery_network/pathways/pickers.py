"""The pathway's mentor pickers: only people who can take the role on the pathway's dates, the rest on request with
the reason each cannot. The rule is the rota's (pathways.services.inside_decision and community_decision, both on
mentors' eligibility): one answer, never a second list. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from recovery_network.accounts.models import FACILITATOR, PEER_MENTOR, Person
from recovery_network.extensions import db
from recovery_network.mentors.rules import Decision
from recovery_network.organisations.models import Membership
from recovery_network.pathways.services import community_decision, inside_decision


@dataclass
class Picker:
    """Who can take one role: the eligible, and the others with why not."""

    eligible: list[Person] = field(default_factory=list)
    others: list[tuple[Person, tuple[str, ...]]] = field(default_factory=list)

    def add(self, person: Person, decision: Decision) -> None:
        """Put a person with the eligible, or with the others and their reasons."""
        if decision:
            self.eligible.append(person)
        else:
            self.others.append((person, decision.reasons))

    def choices(self, show_others: bool, keep: int | None = None) -> list[tuple[int, str]]:
        """The select's options: "None", the eligible, and the others only when asked for (or already chosen, so a
        refused choice comes back with its reason beside the field rather than as "not a valid choice")."""
        shown = [(p.id, p.display_name) for p in self.eligible]
        shown += [(p.id, f"{p.display_name} (not eligible)") for p, _ in self.others if show_others or p.id == keep]
        return [(0, "None")] + shown


def candidates(organisation_id: int | None = None) -> list[Person]:
    """Active peer mentors and facilitators: the people a pathway's mentor could be (of its organisation, when
    it has one: a mentor works for the organisation that owns the pathway)."""
    query = select(Person).where(Person.status == "active").order_by(Person.first_name)
    if organisation_id is not None:
        query = query.where(Person.id.in_(select(Membership.person_id)
                                          .where(Membership.organisation_id == organisation_id)))
    return [p for p in db.session.scalars(query) if p.has_role(PEER_MENTOR, FACILITATOR)]


def inside_picker(people: list[Person], establishment_id: int | None, release: date) -> Picker:
    """Mentor or backup inside: cleared for the establishment and trained a week before release."""
    picker = Picker()
    for person in people:
        if establishment_id is None:
            picker.others.append((person, ("Choose the establishment first.",)))
            continue
        picker.add(person, inside_decision(person, establishment_id, release))
    return picker


def community_picker(people: list[Person], release: date) -> Picker:
    """Community mentor: trained (in date on release day); no prison clearance."""
    picker = Picker()
    for person in people:
        picker.add(person, community_decision(person, release))
    return picker


def set_pickers(form, establishment_id: int | None, release: date, show_others: bool,
                organisation_id: int | None = None) -> dict[str, Picker]:
    """Fill a form's mentor_id, backup_mentor_id and community_mentor_id options; the pickers, by field name."""
    people = candidates(organisation_id)
    inside = inside_picker(people, establishment_id, release)
    pickers = {"mentor_id": inside, "backup_mentor_id": inside, "community_mentor_id": community_picker(people, release)}
    for name, picker in pickers.items():
        form[name].choices = picker.choices(show_others, form[name].data or None)
    return pickers
