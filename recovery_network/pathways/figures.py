"""The funders' figures: anonymous tallies by month, split by establishment and by destination area, suppressed.

Reads PathwayTally only. Every published number, on the page, in the charts and in the CSV, passes through
suppression.publish_measure, which sees both splits of a measure at once because they share a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.pathways.models import CLOSE_REASONS, PathwayTally
from recovery_network.pathways.suppression import Row, publish_measure

CLOSE_NAMES = {"ended": "ended as planned", "back_in_custody": "back in custody", "moved_away": "moved away",
               "withdrew_consent": "withdrew consent", "lost_contact": "lost contact"}
MEASURES: dict[str, str] = {
    "referrals_received": "Referrals received",
    "referrals_accepted": "Referrals accepted",
    "opened": "Pathways opened",
    "pre_release_two": "Two face-to-face contacts before release",
    "gate_met": "Met at the gate",
    "seen_within_two": "Seen within 2 days of release",
    "weeks_with_contact": "Weeks with face-to-face contact (of six each)",
    "weeks_counted": "Pathways whose six weeks were counted",
    "escalations": "Escalations to the co-ordinator",
    **{f"closed_{r}": f"Closed: {CLOSE_NAMES[r]}" for r in CLOSE_REASONS},
    "erased": "Pathways erased",
}
SPLITS = {"establishment": "By establishment", "area": "By destination area"}
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Table:
    """One month split one way: a row per measure, a column per establishment (or area), and the total."""

    month: str
    split: str
    groups: list[str]
    rows: dict[str, Row]


@dataclass(frozen=True)
class Figures:
    """Every month's tables, and the month totals per measure as published (for the charts)."""

    months: list[str]
    tables: list[Table]
    totals: dict[tuple[str, str], str]

    def csv_rows(self) -> list[tuple[str, str, str, str, str]]:
        """(month, split, group, measure, value) — the same suppressed values as the page."""
        out = []
        for table in self.tables:
            for measure, row in table.rows.items():
                for group, value in zip(table.groups, row.cells, strict=True):
                    out.append((table.month, table.split, group, measure, value))
                out.append((table.month, table.split, "Total", measure, row.total))
        return out


def _counts() -> dict[tuple[str, str, str, str], int]:
    """(month, measure, establishment, area) → count, for the measures published."""
    tallies = db.session.scalars(select(PathwayTally).where(PathwayTally.measure.in_(list(MEASURES)))).all()
    return {(t.month, t.measure, t.establishment or NOT_RECORDED, t.area or NOT_RECORDED): t.count for t in tallies}


def _split(counts, month: str, index: int) -> tuple[list[str], dict[str, list[int]]]:
    """Groups (establishments or areas) of one month, and each measure's values across them."""
    groups = sorted({key[index] for key in counts if key[0] == month})
    values = {m: [sum(c for k, c in counts.items() if k[0] == month and k[1] == m and k[index] == g)
                  for g in groups] for m in MEASURES}
    return groups, values


def figures() -> Figures:
    """All months, both splits, suppressed consistently."""
    counts = _counts()
    months = sorted({key[0] for key in counts})
    tables, totals = [], {}
    for month in months:
        splits = {split: _split(counts, month, index) for split, index in (("establishment", 2), ("area", 3))}
        rows: dict[str, dict[str, Row]] = {s: {} for s in splits}
        for measure in MEASURES:
            published = publish_measure([values[measure] for _, values in splits.values()])
            for split, row in zip(splits, published, strict=True):
                rows[split][measure] = row
            totals[(month, measure)] = rows["establishment"][measure].total
        tables += [Table(month, split, splits[split][0], rows[split]) for split in splits]
    return Figures(months, tables, totals)


def month_name(month: str) -> str:
    """'2026-11' as 'November 2026' for a heading (the CSV keeps the sortable form)."""
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")
