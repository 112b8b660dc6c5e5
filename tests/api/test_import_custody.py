"""The importer refuses a row at a custody establishment's postcode, address or position (issue 11, "Also")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.venues.models import CUSTODY, Area, Venue
from tests.api.test_import import run, write

GOOD = {"name": "Perth Tuesday", "slug": "perth-tue", "day": 2, "time": "18:30", "types": ["SMART"],
        "location": "Perth Hall", "address": "1 High Street", "city": "Perth", "postal_code": "PH1 5PE"}
AT_THE_PRISON = {"name": "Thursday group", "slug": "thu", "day": 4, "time": "14:00", "types": ["SMART"],
                 "location": "Visitors' Centre", "city": "Perth"}


@pytest.fixture
def prison(app_ctx, make_venue):
    """HMP Perth at its real-looking address, postcode and position."""
    venue = make_venue(CUSTODY, name="HMP Perth", address="3 Edinburgh Road", town="Perth", postcode="PH2 8AT",
                       lat=56.3884, lon=-3.4335)
    db.session.commit()
    return venue


def counts() -> tuple[int, int, int]:
    """Meetings, venues and areas in the database."""
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Meeting, Venue, Area))


@pytest.mark.parametrize(("place", "what"), [
    ({"postal_code": "ph2 8at"}, "postcode"),
    ({"postal_code": "PH28AT"}, "postcode"),
    ({"address": "3, Edinburgh  Road", "postal_code": "PH2 9ZZ"}, "address"),
    ({"latitude": 56.3886, "longitude": -3.4340}, "position"),
])
def test_a_row_at_a_prison_is_rejected_and_the_run_writes_nothing(runner, tmp_path, prison, place, what):
    """A row at a prison's postcode (any spacing or case), address or position: a per-row reason, nothing saved."""
    before = counts()
    result = run(runner, write(tmp_path, [GOOD, {**AT_THE_PRISON, **place}]))
    assert result.exit_code != 0
    assert "row 2 (slug thu)" in result.output
    assert f"its {what} is a custody establishment's" in result.output
    assert "HMP Perth" not in result.output  # the reason names no establishment
    db.session.remove()
    assert counts() == before  # the good row, its venue and the new area were not written either


def test_a_dry_run_says_the_same(runner, tmp_path, prison):
    """The dry run lists the refusal beside the row, so it can be fixed before a real run."""
    result = run(runner, write(tmp_path, [GOOD, {**AT_THE_PRISON, "postal_code": "PH2 8AT"}]), "--dry-run")
    assert "row 2 (slug thu)" in result.output and "custody establishment's" in result.output


def test_skipping_rejected_rows_imports_only_the_community_ones(runner, tmp_path, prison):
    """With --skip-invalid the prison row is left out and the rest is imported as usual."""
    result = run(runner, write(tmp_path, [GOOD, {**AT_THE_PRISON, "postal_code": "PH2 8AT"}]), "--skip-invalid")
    assert result.exit_code == 0, result.output
    db.session.remove()
    slugs = db.session.scalars(select(Meeting.import_slug).where(Meeting.import_slug.is_not(None)))
    assert list(slugs) == ["perth-tue"]


def test_a_nearby_hall_is_not_a_prison(runner, tmp_path, prison):
    """A hall a mile away with its own postcode and address imports as usual."""
    result = run(runner, write(tmp_path, [{**AT_THE_PRISON, "postal_code": "PH1 5PE", "address": "1 High Street",
                                            "latitude": 56.3962, "longitude": -3.4363}]))
    assert result.exit_code == 0, result.output
