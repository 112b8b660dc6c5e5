"""Small-number suppression for published counts. Pure: no Flask, no database.

Any count under 5 is shown as "<5" (primary suppression). A row of cells with its total is one linear equation,
so a single hidden cell could be worked out by subtraction: more cells are hidden ("x", secondary suppression)
until, for every hidden cell, the equation and what a reader knows of the rule (a "<5" is 0–4, an "x" is 5 or
more) leave at least two possible values.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
SMALL = "<5"
WITHHELD = "x"
UNBOUNDED = 10**9


@dataclass(frozen=True)
class Row:
    """One row as published: each cell and the total, as text."""

    cells: tuple[str, ...]
    total: str


def _box(value: int, hidden: str | None) -> tuple[int, int]:
    """What a reader knows of a hidden value: 0–4 for "<5", 5 or more for "x"."""
    return (0, THRESHOLD - 1) if hidden == SMALL else (THRESHOLD, UNBOUNDED)


def pinned(values: list[int], hidden: dict[int, str]) -> list[int]:
    """Hidden positions whose value the row's equation pins to a single number (index len(values) is the total).

    The equation: the cells add up to the total. Known values move to the right-hand side; each hidden value
    lies in its box; a hidden value is pinned when its feasible range is one number."""
    n = len(values)
    total = sum(values)
    coefficient = {i: (1 if i < n else -1) for i in hidden}
    rhs = (0 if n in hidden else total) - sum(v for i, v in enumerate(values) if i not in hidden)
    boxes = {i: _box(values[i] if i < n else total, kind) for i, kind in hidden.items()}
    found = []
    for j in hidden:
        low = high = 0
        for k in hidden:
            if k == j:
                continue
            lo, hi = boxes[k]
            low += lo if coefficient[k] > 0 else -hi
            high += hi if coefficient[k] > 0 else -lo
        # coefficient[j] * x_j = rhs - (sum of the others), the others anywhere in their boxes
        a, b = rhs - high, rhs - low
        if coefficient[j] < 0:
            a, b = -b, -a
        lo, hi = boxes[j]
        if max(a, lo) >= min(b, hi):
            found.append(j)
    return found


def suppress_row(values: list[int], hide_total: bool = False) -> tuple[dict[int, str], bool]:
    """Which cells (and whether the total) to hide so that no small count can be worked out.

    Returns {position: "<5" or "x"} (position len(values) is the total)."""
    n = len(values)
    total = sum(values)
    hidden: dict[int, str] = {i: SMALL for i, v in enumerate(values) if v < THRESHOLD}
    if total < THRESHOLD:
        hidden[n] = SMALL
    elif hide_total:
        hidden[n] = WITHHELD
    while pinned(values, hidden):
        # Hide the smallest shown cell next (it costs the reader least); the total only when no cell is left.
        shown = sorted((v, i) for i, v in enumerate(values) if i not in hidden)
        if shown:
            hidden[shown[0][1]] = WITHHELD
        elif n not in hidden:
            hidden[n] = WITHHELD
        else:
            break
    return hidden, n in hidden


def publish(values: list[int], hide_total: bool = False) -> Row:
    """A row as it may be published: numbers, "<5" and "x"."""
    hidden, _ = suppress_row(values, hide_total)
    n = len(values)
    cells = tuple(hidden.get(i, str(v)) for i, v in enumerate(values))
    return Row(cells, hidden.get(n, str(sum(values))))
