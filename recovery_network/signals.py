"""What one domain tells the others that depend on it, so that none imports a domain built on top of it.

Meetings announce changes to a series or to one date, and courses that someone left; the rota (places) and
pathways (plans) listen. The
sender is the changed object; receivers run inside the caller's transaction and may refuse by raising.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: Meeting; keyword args: on (date), what ("cancelled", "moved", "confirmed" or "restored").
occurrence_changed = _signals.signal("occurrence-changed")
# sender: Meeting; keyword args: today (date), helpers_changed (bool). The day, time or dates may have changed.
series_changed = _signals.signal("series-changed")
# sender: Meeting; keyword args: after (date). No occurrence after that date will happen.
series_ended = _signals.signal("series-ended")
# sender: Person; keyword args: today (date), by (Person or None). Training, clearance or status changed.
credentials_changed = _signals.signal("credentials-changed")
# sender: Enrolment; keyword args: today (date), by (Person or None). The person is no longer on the course.
enrolment_left = _signals.signal("enrolment-left")
