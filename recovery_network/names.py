"""The one rule for how a person on a pathway, a referral or a course is named: a first name, perhaps with one
initial, or initials — never a surname, number or note. Pure: no Flask, no database.

Shared by the pathway and referral forms and services and by the course register, so "Zed Smith-Jones" is
refused everywhere alike. Hyphens and apostrophes join one name ("Mary-Jane", "D'Arcy"); any alphabet's
letters count ("Zoë", "Siobhán", "Łucja").
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 40
SURNAME = ("First name or initials only — never a surname. A double first name takes a hyphen, "
           "like Mary-Jane.")
# One given name ("Dee", "Mary-Jane", "D'Arcy"), perhaps with one initial ("Dee K", "Dee K.").
_FIRST_NAME = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*(?: [^\W\d_]\.?)?$")
# Initials only, at most four: "J.K." (dotted, one word) or "J K", "J. K." (one letter a word). "JK" is one word.
_INITIALS = re.compile(r"^(?:[^\W\d_](?:\.[^\W\d_]){0,3}\.?|[^\W\d_]\.?(?: [^\W\d_]\.?){1,3})$")


class NameRefused(ValueError):
    """The name says more than a first name or initials may."""


def first_name_only(text: str, max_length: int = MAX_NAME) -> str:
    """The name to store (spaces tidied), or NameRefused saying why: a surname, a number or a note never goes in."""
    name = " ".join(unicodedata.normalize("NFC", str(text or "")).split())
    if not name:
        raise NameRefused("Give a first name or initials.")
    if len(name) > max_length:
        raise NameRefused(f"Use a first name or initials only ({max_length} characters at most).")
    if any(c.isdigit() for c in name):
        raise NameRefused("No numbers: never a prison number or date of birth. Use a first name or initials.")
    if any(not (c.isalpha() or c in " .'’-") for c in name):
        raise NameRefused("Use letters only: a first name or initials.")
    if _FIRST_NAME.match(name) or _INITIALS.match(name):
        return name
    raise NameRefused(SURNAME)
