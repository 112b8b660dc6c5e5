"""A per-process cache of rendered feeds, checked against one tiny query, so re-polls cost almost nothing.

Calendar apps poll every few minutes. Every change to what public feeds show (meetings, their dated
changes, venues, areas) bumps one counter row in the same transaction; a cached feed is served only
while the counter still has the value it was built at. So a poll with a matching ETag costs one
primary-key SELECT, and an unchanged feed is never rendered twice in a process.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
import secrets
from threading import Lock

from sqlalchemy import DDL, Integer, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

MAX_ENTRIES = 512


class ContentVersion(db.Model):
    """One row whose value changes whenever anything a public feed shows changes."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # When anything last changed, shared by every worker: a search feed's Last-Modified never goes back
    # when a meeting leaves it, whichever worker answers.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# create_all (tests) needs the row as much as the migration does.
event.listen(
    ContentVersion.__table__,
    "after_create",
    DDL("INSERT INTO content_versions (id, version, changed_at) VALUES (1, 0, CURRENT_TIMESTAMP)"),
)

FEED_MODELS: tuple[type, ...] = ()


def watch(*models: type) -> None:
    """Say which models' changes make cached feeds stale (called once, from the factory)."""
    global FEED_MODELS
    FEED_MODELS = tuple(models)


@event.listens_for(Session, "after_flush")
def bump_on_feed_change(session: Session, flush_context) -> None:
    """Bump the counter in the same transaction as any change a public feed could show."""
    touched = (*session.new, *session.dirty, *session.deleted)
    if FEED_MODELS and any(isinstance(obj, FEED_MODELS) for obj in touched):
        bump(session)


def bump(session: Session | None = None) -> None:
    """Mark every cached feed stale (bulk Core writes, like the importer's, call this themselves).

    The new value is random rather than +1, so a rolled-back bump can never be reused by a later one.
    """
    connection = (session or db.session).connection()  # not session.execute: that would flush again
    connection.execute(
        update(ContentVersion).where(ContentVersion.id == 1).values(version=secrets.randbits(31), changed_at=utcnow())
    )


# Built once: every poll runs it, and building an ORM select each time cost more than running it.
_READ_VERSION = select(ContentVersion.version, ContentVersion.changed_at).where(ContentVersion.id == 1)


def current_version() -> tuple[int, datetime]:
    """The counter's value and when it last changed: one primary-key read, on a pooled connection.

    Not through the session: a 304 needs no ORM, and the session's own setup was a third of its cost.
    """
    with db.engine.connect() as connection:
        row = connection.execute(_READ_VERSION).one()
    return row[0], row[1]


def current_version_number(engine=None) -> int:
    """Only the counter's value, on the pool's raw connection: a kept page's check, paid on every public GET.

    The driver's cursor directly, without SQLAlchemy's statement machinery (which was most of the cost).
    Driver errors are wrapped as SQLAlchemy's, as the engine would: errors.py answers 503 to those.
    The engine may be given, for a caller outside any app context (earlyanswer.py, a WSGI layer).
    """
    engine = engine if engine is not None else db.engine
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(_VERSION_SQL)
            (version,) = cursor.fetchone()
            cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            connection.invalidate()  # never hand this connection out again
            raise
        finally:
            connection.close()  # back to the pool, which ends the read transaction (reset on return)
    except engine.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(_VERSION_SQL, None, error, engine.dialect.loaded_dbapi.Error) from error
    return version


_VERSION_SQL = "SELECT version FROM content_versions WHERE id = 1"


@dataclass(frozen=True)
class Entry:
    """A rendered feed and its tag, valid while the counter is at `version`."""

    version: int
    etag: str
    last_modified: datetime
    filename: str
    body: bytes


class FeedCache:
    """A small thread-safe LRU of feeds by URL."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = Lock()

    def get(self, key: str, version: int) -> Entry | None:
        """The entry for a URL if it was made at this version."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.version != version:
                return None
            self.entries.move_to_end(key)
            return entry

    def peek(self, key: str) -> Entry | None:
        """The last entry for a URL, whatever its version."""
        with self.lock:
            return self.entries.get(key)

    def put(self, key: str, entry: Entry) -> Entry:
        """Remember an entry, dropping the least recently used past the size."""
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self.lock:
            self.entries.clear()


feeds = FeedCache()
