"""The single rule for who may see which meetings: custody meetings never reach the public.

Every query that lists, counts, feeds or exports meetings goes through `visible_to`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select

from recovery_network.meetings.models import ACTIVE, PUBLIC, Meeting


def visible_to(viewer: object | None = None) -> ColumnElement[bool]:
    """The SQL condition a viewer's meetings must meet; anonymous viewers see public ones only."""
    return Meeting.visibility == PUBLIC


def public_meetings() -> Select[tuple[Meeting]]:
    """Public, active meeting series: the only ones anonymous pages, feeds and JSON may show."""
    return select(Meeting).where(visible_to(None), Meeting.status == ACTIVE)
