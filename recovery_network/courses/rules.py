"""What may be written about a person on a course: a first name or initials, never anything that identifies them further.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 20
# One given name ("Dee", "Mary-Jane", "O'Neil"), perhaps with an initial ("Dee K."), or initials ("JK", "J.K.").
_FIRST_NAME = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*(?: [^\W\d_]\.?)?$")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.? ?){1,4}$")


class NameRefused(ValueError):
    """The name says more than a first name or initials may."""


def course_name(text: str) -> str:
    """The name to store, or NameRefused: a single first name or initials, so surnames and numbers never go in."""
    name = " ".join(unicodedata.normalize("NFC", str(text or "")).split())
    if not name:
        raise NameRefused("Give a first name or initials.")
    if len(name) > MAX_NAME:
        raise NameRefused(f"Use a first name or initials only ({MAX_NAME} characters at most).")
    if any(c.isdigit() for c in name):
        raise NameRefused("No numbers: never a prison number or date of birth. Use a first name or initials.")
    if _FIRST_NAME.match(name) or _INITIALS.match(name):
        return name
    if any(not (c.isalpha() or c in " .'’-") for c in name):
        raise NameRefused("Use letters only: a first name or initials.")
    if " " in name:
        raise NameRefused("One first name or initials only: no surname.")
    raise NameRefused("Use letters only: a first name or initials.")
