"""Who owns the series an import creates: the organisation the operator names, or the only one there is.

Named by its public id or the slug of its name (organisations are told apart by both; see
organisations/services.find_organisation). Unnamed: in a network of one, that one; with several the operator
must say, since guessing would hand meetings to the wrong co-ordinators; with none yet, nobody (admins manage
them until an organisation exists). A wrong name stops the import before the feed is read.
"""

from __future__ import annotations

from recovery_network.api.import_service import ImportRefused
from recovery_network.organisations.models import Organisation
from recovery_network.organisations.services import all_organisations, find_organisation
from recovery_network.slugs import slugify


def importing_organisation(reference: str | None) -> Organisation | None:
    """Who owns imported series: the organisation named; unnamed, the only one (or none in a network without any)."""
    if reference is not None:
        found = find_organisation(reference)
        if found is None:
            raise ImportRefused(f"There is no organisation “{reference}”. {_choices()}")
        return found
    organisations = all_organisations()
    if len(organisations) > 1:
        raise ImportRefused(f"Say which organisation owns these meetings with --organisation. {_choices()}")
    return organisations[0] if organisations else None


def _choices() -> str:
    """The organisations an operator may name, as they may name them (names are not secret to an operator)."""
    listed = [f"{slugify(o.name)} ({o.public_id})" for o in all_organisations()]
    return "Organisations: " + ", ".join(listed) + "." if listed else "There are no organisations yet."
