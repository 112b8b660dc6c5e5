"""Every domain's models, imported in one place: the schema at a glance for Alembic and `flask shell`."""

from recovery_network.accounts.models import LoginSession, Person, PersonRole, StaffPost
from recovery_network.audit.models import AuditEvent
from recovery_network.courses.models import Attendance, Enrolment
from recovery_network.feeds.cache import ContentVersion
from recovery_network.feeds.models import FeedToken
from recovery_network.meetings.models import Meeting, MeetingChange
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.mentors.models import Clearance, ClearanceChange, Course, PvgMembership, TrainingRecord
from recovery_network.pathways.models import (
    ContactRecord, Extension, FollowUp, HomeLeave, Pathway, PathwayItem, PathwayTally, PlanArea,
    PathwayShare, Referral,
)
from recovery_network.rota.models import OutboxMessage, RotaSlot, Signup
from recovery_network.venues.models import Area, AreaCoverage, GeocodeResult, Venue

__all__ = [
    "Area", "AreaCoverage", "Membership", "Organisation", "PathwayShare", "Attendance", "AuditEvent", "Enrolment", "ContentVersion", "ContactRecord", "FeedToken", "Pathway", "PathwayItem", "PathwayTally", "PlanArea", "Referral", "Extension", "FollowUp", "HomeLeave", "Clearance", "ClearanceChange", "Course", "GeocodeResult", "LoginSession", "Meeting", "MeetingChange",
    "OutboxMessage", "Person", "PersonRole", "PvgMembership", "RotaSlot", "Signup", "StaffPost",
    "TrainingRecord", "Venue",
]
