"""Areas, venues (community venues and custody establishments) and the geocoder cache."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow
from recovery_network.venues.geo import Point

if TYPE_CHECKING:
    from recovery_network.meetings.models import Meeting

COMMUNITY = "community"
CUSTODY = "custody"
SETTINGS = (COMMUNITY, CUSTODY)
# What kind of establishment a prison is (the Scottish Prison Service's own categories).
ESTABLISHMENT_KINDS = {"closed": "Closed", "open": "Open", "young_offenders": "Young offenders", "women": "Women's"}
# What an area covers: whole council areas, or postcode districts (for areas that cross council lines).
COVERAGE_KINDS = {"council": "Council area", "postcode_district": "Postcode district"}


class Area(db.Model):
    """A local authority / alcohol and drug partnership area that meetings are grouped by."""

    __tablename__ = "areas"
    __table_args__ = AUDIT_SUBJECT

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    venues: Mapped[list[Venue]] = relationship(back_populates="area")
    coverage: Mapped[list[AreaCoverage]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="(AreaCoverage.kind, AreaCoverage.value)")

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"


class AreaCoverage(db.Model):
    """One council area or postcode district an area covers; each belongs to one area only."""

    __tablename__ = "area_coverage"
    __table_args__ = (
        CheckConstraint("kind IN ('council', 'postcode_district')", name="kind"),
        UniqueConstraint("kind", "value", name="uq_area_coverage_kind_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # A district as written on letters ("PH1"); a council area by its name ("Perth and Kinross").
    value: Mapped[str] = mapped_column(String(80))

    area: Mapped[Area] = relationship(back_populates="coverage")


class Venue(db.Model):
    """Where meetings happen: a community venue, or a custody establishment (a prison)."""

    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint(f"setting IN ('{COMMUNITY}', '{CUSTODY}')", name="setting"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
        # Only an establishment has a kind, and every establishment added here is given one.
        CheckConstraint("establishment_kind IS NULL OR (setting = 'custody' AND establishment_kind IN "
                        "('closed', 'open', 'young_offenders', 'women'))", name="establishment_kind"),
        # Near-searches pre-filter on this box before ranking by true distance.
        Index("ix_venues_lat_lon", "latitude", "longitude"),
        AUDIT_SUBJECT,  # establishments are audited (establishment.add): ids never reused
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    setting: Mapped[str] = mapped_column(String(16), default=COMMUNITY)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Step-free access to the meeting room: the one accessibility fact apps filter on (Meeting Guide "X").
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    directions: Mapped[str] = mapped_column(Text, default="")
    establishment_kind: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship(back_populates="venues")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="venue", foreign_keys="Meeting.venue_id"
    )

    @property
    def is_custody(self) -> bool:
        """Custody venues are establishments; nothing held there is ever shown to the public."""
        return self.setting == CUSTODY

    @property
    def point(self) -> Point | None:
        """Coordinates, when the venue has been geocoded."""
        if self.latitude is None or self.longitude is None:
            return None
        return Point(self.latitude, self.longitude)

    @property
    def one_line_address(self) -> str:
        """Postal address on one line, as calendars and printed lists want it."""
        parts = [self.name, self.address, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def street_address(self) -> str:
        """The address without the venue's name (names like 'Recovery Hub' would say too much in a private calendar)."""
        return ", ".join(p for p in (self.address, self.town, self.postcode) if p)

    def __repr__(self) -> str:
        return f"<Venue {self.slug}>"


class GeocodeResult(db.Model):
    """An online geocoder's answer, kept so each place is asked about once."""

    __tablename__ = "geocode_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
