"""The one rule for a pathway, referral or course person's name: first name (one initial at most) or initials."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery_network.names import SURNAME, NameRefused, first_name_only

ACCEPTED = ["Dee", "Mary-Jane", "D'Arcy", "D’Arcy", "Zoë", "Siobhán", "Łucja", "Dee K", "Dee K.", "JK", "J.K.",
            "J K", "J. K.", "J.K", "D", "mary-jane", "Ngozi", "Seán O"]
SURNAMES = ["Zed Smith-Jones", "Dee Kowalski", "Mary Jane", "Mary Jane Smith", "Dee K Smith", "Siobhán Ní Bhriain",
            "D'Arcy O'Neil", "Dee Kay Jones", "Al Bo", "Jo Ed K"]


@pytest.mark.parametrize("typed", ACCEPTED)
def test_first_names_initials_and_one_initial_are_kept(typed):
    """Hyphenated and apostrophe names and any alphabet's letters pass, with one initial at most."""
    assert first_name_only(f"  {typed} ") == typed


@pytest.mark.parametrize("typed", SURNAMES)
def test_two_full_words_are_refused_as_a_surname(typed):
    """The message says why: first name or initials only, never a surname."""
    with pytest.raises(NameRefused) as refused:
        first_name_only(typed)
    assert str(refused.value) == SURNAME and "never a surname" in SURNAME


@pytest.mark.parametrize(("typed", "words"), [
    ("", "Give a first"), ("A1234BC", "No numbers"), ("Dee 12/3/90", "No numbers"), ("Dee (heroin)", "letters only"),
    ("<b>Dee</b>", "letters only"), ("x" * 41, "40 characters"),
])
def test_numbers_notes_and_long_text_are_refused(typed, words):
    """Prison numbers, birth dates and notes never go in."""
    with pytest.raises(NameRefused, match=words):
        first_name_only(typed)


LETTERS = st.characters(categories=("Lu", "Ll"))
WORD = st.text(LETTERS, min_size=2, max_size=10)


@given(WORD, WORD)
def test_any_two_words_of_letters_are_refused(first, second):
    """Whatever the alphabet, a first name followed by a second full word is a surname."""
    with pytest.raises(NameRefused, match="never a surname"):
        first_name_only(f"{first} {second}")


@given(WORD, st.lists(WORD, min_size=0, max_size=2), st.sampled_from(["-", "'", "’"]),
       st.one_of(st.none(), LETTERS))
def test_one_name_joined_by_hyphens_or_apostrophes_with_one_initial_passes(first, parts, joiner, initial):
    """"Mary-Jane", "D'Arcy-Lee K": one name, perhaps joined, and one initial at most."""
    name = joiner.join([first, *parts])
    typed = f"{name} {initial}" if initial else name
    if len(typed) <= 40:  # kept as typed, in Unicode's composed form
        assert first_name_only(typed) == unicodedata.normalize("NFC", typed)
