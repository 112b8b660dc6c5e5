"""What may be written about a person on a course: a first name or initials, never anything that identifies them further.

Pure: no Flask, no database. The rule itself is recovery_network/names.py, shared with pathways and referrals;
a course register keeps names shorter.
"""

from __future__ import annotations

from recovery_network.names import NameRefused, first_name_only

MAX_NAME = 20

__all__ = ["MAX_NAME", "NameRefused", "course_name"]


def course_name(text: str) -> str:
    """The name to store, or NameRefused: a single first name or initials, so surnames and numbers never go in."""
    return first_name_only(text, MAX_NAME)
