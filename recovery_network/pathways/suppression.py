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
total", and under that every hidden cell keeps at least two possible values — except the degenerate pattern
where one split has 5k groups all under 5 and the other exactly 4k cells of 5 or more (the pattern alone then
fixes the total at 20k); with the handful of prisons and areas a month has, that needs twenty groups.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
SMALL = "<5"
WITHHELD = "x"


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
    return [Row(tuple(_hidden(v) for v in values), _hidden(total)) for values in splits]


def publish(values: list[int]) -> Row:
    """A single row on its own (no other split shares its total), as it may be published."""
    return publish_measure([values])[0]
