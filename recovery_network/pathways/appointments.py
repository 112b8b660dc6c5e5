"""Appointment kinds in the first weeks out, and how an appointment reads. Pure: no Flask, no database."""

from __future__ import annotations

# The services a person usually needs to reach straight after release (throughcare.md), in the order offered.
KINDS: dict[str, str] = {
    "housing": "Housing",
    "benefits": "Benefits",
    "gp": "GP",
    "treatment": "Treatment or prescribing",
    "employment": "Employment",
    "justice": "Justice social work",
    "other": "Other",
}


def label(kind: str) -> str:
    """The kind's name for a page or the pack ('' for an unknown code)."""
    return KINDS.get(kind, "")


def title(kind: str, plain: bool) -> str:
    """What a lock screen may show: 'Appointment' unless the person chose plain titles."""
    name = label(kind)
    return f"{name} appointment" if plain and name and kind != "other" else "Appointment"
