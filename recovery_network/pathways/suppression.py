"""Small-number suppression for published counts. Pure: no Flask, no database.

The reader is assumed to know this rule and to see every published cell and total, on the page and in the CSV.
One measure in one month is published in several splits (by establishment, by area) that share one total, so
the splits are suppressed together, by pattern rather than by value:

- no cell under 5 anywhere: every cell and the total are shown;
- otherwise every cell of every split is withheld ("<5" for a count under 5, "x" for 5 or more) and so is the
  total ("<5" or "x" by the same test).

Why so much: a shown total turns a row into an equation, and the reader's bounds ("<5" is 0–4, "x" is 5 or more)
pin a hidden cell at an extreme — Perth 5 and Low Moss 0 under a shown total of 5 can only be 5 and 0. Hiding
only some cells makes *which* cells are hidden depend on values, which the reader can read back. Withholding the
whole measure leaves the reader only the pattern (which cells are under 5) and "the splits add up to the same
total", and under that every hidden cell keeps at least two possible values — except when one split is all
under 5 and another has a count of 5 or more: the pattern alone then bounds the shared total from both sides
(at most 4 a cell in the one, at least 5 a cell in the other), and five prisons each "<5" against four areas
each "x" can only be 4s, 5s and 0s. So in that case the splits holding a count of 5 or more are not shown at
all (every cell "*"); the all-small splits still read "<5" and the total "x". What the reader learns — some
split had a count of 5 or more, so the total is 5 or more — leaves every cell at least two values
(tests/pathways/test_suppression.py checks it by brute force and against a reader's bounds).
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
SMALL = "<5"
WITHHELD = "x"
PATTERN_WITHHELD = "*"  # a split not shown this month: even which of its counts are under 5 would give one away


@dataclass(frozen=True)
class Row:
    """One row as published: each cell and the total, as text."""

    cells: tuple[str, ...]
    total: str


def _hidden(value: int) -> str:
    """How a withheld count shows: "<5" when it is under 5 (the rule funders are told), else "x"."""
    return SMALL if value < THRESHOLD else WITHHELD


def publish_measure(splits: list[list[int]]) -> list[Row]:
    """One measure's counts in every split (each split's cells add up to the same total), as they may be published.

    What is withheld depends only on whether some count is under 5, never on whether it is 0 or 1–4."""
    total = sum(splits[0]) if splits else 0
    if any(sum(values) != total for values in splits):
        raise ValueError("the splits of one measure must add up to the same total")
    if all(v >= THRESHOLD for values in splits for v in values) and total >= THRESHOLD:
        return [Row(tuple(str(v) for v in values), str(total)) for values in splits]
    if _pattern_pins(splits):
        return [Row(tuple(SMALL if all(v < THRESHOLD for v in values) else PATTERN_WITHHELD for v in values),
                    _hidden(total)) for values in splits]
    return [Row(tuple(_hidden(v) for v in values), _hidden(total)) for values in splits]


def _pattern_pins(splits: list[list[int]]) -> bool:
    """Whether the "<5"/"x" pattern could pin a count: one split all under 5 while another has one of 5 or more."""
    all_small = any(values and all(v < THRESHOLD for v in values) for values in splits)
    some_large = any(v >= THRESHOLD for values in splits for v in values)
    return all_small and some_large


def publish(values: list[int]) -> Row:
    """A single row on its own (no other split shares its total), as it may be published."""
    return publish_measure([values])[0]
