"""Issuing, revoking and finding private calendar links, the same way for a rota and a plan."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from recovery_network.extensions import db
from recovery_network.feeds.models import FeedToken
from recovery_network.ical.tokens import new_token, plausible, same_hash, token_hash
from recovery_network.types import utcnow


def issue(**owner: int) -> str:
    """A new link for one owner (person_id= or pathway_id=), 256 random bits; returned once, never stored."""
    token = new_token()
    db.session.add(FeedToken(token_hash=token_hash(token), **owner))
    db.session.flush()
    return token


def live(owner: InstrumentedAttribute, owner_id: int) -> list[FeedToken]:
    """The owner's links that still work."""
    return list(db.session.scalars(select(FeedToken).where(owner == owner_id, FeedToken.revoked_at.is_(None))))


def revoke(owner: InstrumentedAttribute, owner_id: int) -> None:
    """Every link of this owner stops working at once (a new link, a reset, consent withdrawn, closure)."""
    for row in live(owner, owner_id):
        row.revoked_at = utcnow()
    db.session.flush()


def find(owner: InstrumentedAttribute, token: str) -> FeedToken | None:
    """The live link presented, only if it is this kind of owner's; by hash, the final compare constant-time."""
    if not plausible(token):
        return None
    row = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == token_hash(token), owner.is_not(None)))
    if row is None or row.revoked_at is not None or not same_hash(row.token_hash, token):
        return None
    return row
