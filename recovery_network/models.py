"""Every domain's models, imported in one place: the schema at a glance for Alembic and `flask shell`."""

from recovery_network.meetings.models import Meeting, MeetingChange
from recovery_network.venues.models import Area, GeocodeResult, Venue

__all__ = ["Area", "GeocodeResult", "Meeting", "MeetingChange", "Venue"]
