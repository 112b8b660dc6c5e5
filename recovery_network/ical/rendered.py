"""The bytes of each feed event's components, kept for the events rendered most recently.

Checking an event's rule and writing its lines cost a few hundred microseconds, and a change to one
meeting makes every cached feed stale at once, though most events in the re-rendered feeds are unchanged.
Pure: no Flask, no database. The key is the event's full repr, so a change to any field is a new key.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock
from typing import Any

Rendered = tuple[tuple[str, bytes], ...]


class RenderedEvents:
    """A bounded, thread-safe memo from an event to its components' (UID, bytes)."""

    def __init__(self, render: Callable[[Any], Iterable[tuple[str, bytes]]], size: int) -> None:
        self._render = render  # event -> [(uid, the component's bytes)]
        self.size = size
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = Lock()

    def components(self, event: Any) -> Rendered:
        """The event's components as (UID, bytes), rendered once while the event stays the same."""
        key = repr(event)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        # Rendered outside the lock: two threads may both render a new event, and get the same bytes.
        rendered = tuple(self._render(event))
        with self._lock:
            self._entries[key] = rendered
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return rendered

    def __len__(self) -> int:
        """How many events are held."""
        return len(self._entries)

    def clear(self) -> None:
        """Forget every rendered event (tests, and benchmarks of a cold render)."""
        with self._lock:
            self._entries.clear()
