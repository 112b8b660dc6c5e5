"""Small-number suppression against a reader who knows the rule and sees every published cell and total.

The attacker: for every underlying table on a grid, publish it; tables that publish identically are
indistinguishable to the reader, so within each such group every hidden cell (and a hidden total) must take at
least two values. The grid runs to 12; only tables whose counts are all 9 or less are judged, so a value forced
off the top of the grid (an artefact: real counts have no ceiling) is never mistaken for a leak.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.pathways.suppression import PATTERN_WITHHELD, SMALL, WITHHELD, publish, publish_measure

TOP, INNER = 12, 9


def _vectors(groups: int):
    """Every split of `groups` cells on the grid."""
    return product(range(TOP + 1), repeat=groups)


def _tables(shape: tuple[int, ...]):
    """Every table of one measure: a vector per split, all splits adding up to the same total."""
    by_sum = [defaultdict(list) for _ in shape]
    for i, groups in enumerate(shape):
        for v in _vectors(groups):
            by_sum[i][sum(v)].append(v)
    for total in by_sum[0]:
        choices = [by_sum[i].get(total, []) for i in range(len(shape))]
        for table in product(*choices):
            yield total, table


def _leaks(shape: tuple[int, ...], publisher) -> list:
    """Hidden cells the reader can pin: same published form, only one possible value, table inside the grid."""
    groups: dict[tuple, list] = defaultdict(list)
    for total, table in _tables(shape):
        rows = publisher([list(v) for v in table])
        form = tuple((row.cells, row.total) for row in rows)
        hidden = {}
        for s, (row, values) in enumerate(zip(rows, table, strict=True)):
            for g, (shown, value) in enumerate(zip(row.cells, values, strict=True)):
                if not shown.isdecimal():
                    hidden[(s, g)] = value
                else:
                    assert int(shown) == value and value >= 5, (table, rows)
            if not row.total.isdecimal():
                hidden[(s, "total")] = total
        groups[form].append((table, hidden))
    leaks = []
    for form, members in groups.items():
        values_of = defaultdict(set)
        for _, hidden in members:
            for key, value in hidden.items():
                values_of[key].add(value)
        for table, hidden in members:
            if max(max(v, default=0) for v in table) > INNER:
                continue
            for key in hidden:
                if len(values_of[key]) < 2:
                    leaks.append((table, key, form))
    return leaks


@pytest.mark.parametrize("shape", [(2,), (3,), (4,), (1, 2), (2, 2), (2, 3), (1, 3), (3, 3)])
def test_no_hidden_count_can_be_worked_out(shape):
    """Figures page and CSV (both from publish_measure): every withheld cell keeps two possible values."""
    leaks = _leaks(shape, publish_measure)
    assert leaks == [], leaks[:5]


def test_every_count_under_five_shows_as_small():
    """The funders' rule: any count under 5 reads "<5" wherever it appears, totals included ("*" is a split not
    shown at all that month, and never stands for a count of 5 or more alone)."""
    for total, table in _tables((2, 2)):
        rows = publish_measure([list(v) for v in table])
        for row, values in zip(rows, table, strict=True):
            if PATTERN_WITHHELD in row.cells:
                assert set(row.cells) == {PATTERN_WITHHELD} and any(v >= 5 for v in values)
                continue
            for shown, value in zip(row.cells, values, strict=True):
                assert (shown == SMALL) == (value < 5)
            assert (row.total == SMALL) == (total < 5)


def _box(shown: str) -> tuple[int, float]:
    """What a reader knows of one published cell or total."""
    if shown == SMALL:
        return 0, 4
    if shown in (WITHHELD, PATTERN_WITHHELD):
        # "*": a split not shown; its cells could be anything (the split as a whole holds a count of 5 or more)
        return (5, float("inf")) if shown == WITHHELD else (0, float("inf"))
    return int(shown), int(shown)


def _reader_ranges(rows) -> dict:
    """A reader's exact range for every hidden cell and the total: each split's cells lie in their boxes and add
    up to the one total (sums of integer boxes reach every integer between their bounds, so intervals are exact)."""
    total_lo, total_hi = _box(rows[0].total)
    for row in rows:
        boxes = [_box(c) for c in row.cells]
        total_lo, total_hi = max(total_lo, sum(b[0] for b in boxes)), min(total_hi, sum(b[1] for b in boxes))
    ranges = {"total": (total_lo, total_hi)}
    for s, row in enumerate(rows):
        boxes = [_box(c) for c in row.cells]
        for g, (lo, hi) in enumerate(boxes):
            others_lo = sum(b[0] for i, b in enumerate(boxes) if i != g)
            others_hi = sum(b[1] for i, b in enumerate(boxes) if i != g)
            ranges[(s, g)] = (max(lo, total_lo - others_hi), min(hi, total_hi - others_lo))
    return ranges


def test_five_small_prisons_against_four_areas_of_five_give_nothing_away():
    """The pattern alone once pinned this: five prisons each "<5" (at most 20) and four areas each "x" (at least
    20) could only be 4s, 5s and a 0. The areas are now not shown that month, and every cell keeps two values."""
    rows = publish_measure([[4, 4, 4, 4, 4], [5, 5, 5, 5, 0]])
    assert rows[0].cells == (SMALL,) * 5 and set(rows[1].cells) == {PATTERN_WITHHELD}
    for key, (lo, hi) in _reader_ranges(rows).items():
        assert hi > lo, key


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=9), min_size=1, max_size=3), st.data())
def test_a_readers_bounds_never_pin_a_hidden_count(first, data):
    """Many prisons and areas (more than the brute force reaches): from what is published, every hidden cell
    and a hidden total keep at least two possible values."""
    total = sum(first[0])
    splits = [first[0]]
    for other in first[1:]:
        # another split of the same total, into as many groups as drawn
        cuts = sorted(data.draw(st.lists(st.integers(0, total), min_size=len(other) - 1,
                                         max_size=len(other) - 1)))
        splits.append([b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)])
    rows = publish_measure(splits)
    ranges = _reader_ranges(rows)
    for s, row in enumerate(rows):
        for g, shown in enumerate(row.cells):
            if not shown.isdecimal():
                lo, hi = ranges[(s, g)]
                assert hi > lo, (splits, rows, (s, g))
    if not rows[0].total.isdecimal():
        assert ranges["total"][1] > ranges["total"][0], (splits, rows)


def test_a_zero_and_a_small_count_publish_alike():
    """What is hidden never depends on whether a small count is 0 or 1–4 (Perth 5, Low Moss 0 vs 3)."""
    for small in range(5):
        rows = publish_measure([[5, small], [5 + small]])
        assert [(r.cells, r.total) for r in rows] == [((WITHHELD, SMALL), WITHHELD), ((WITHHELD,), WITHHELD)]
    assert publish([7, 8]).cells == ("7", "8") and publish([7, 8]).total == "15"
    assert publish([2]).total == SMALL


def test_splits_that_disagree_are_refused():
    """Both splits count the same people, so their totals must agree; anything else is a bug upstream."""
    with pytest.raises(ValueError):
        publish_measure([[5, 6], [10]])
