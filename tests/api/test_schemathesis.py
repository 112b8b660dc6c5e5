"""Property-based tests of the JSON API against its own OpenAPI document (schemathesis, through WSGI).

Every generated request must get an answer the document describes: no 500s, the documented status codes and
content types, and bodies that match the (closed) schemas, errors included.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from recovery_network.api.openapi import document
from recovery_network.venues.models import CUSTODY

# The document the app serves at /api/v1/openapi.json (test_v1 checks it is served). Loaded here rather than
# through schemathesis.pytest.from_fixture, whose lazy loader breaks on pytest 9 (it sets Function._nodeid).
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def network(make_meeting, make_venue):
    """A small network with a custody session in it, so searches and slugs have something to find and hide."""
    hall = make_venue(name="Perth Recovery Hub", town="Perth", step_free=True)
    make_meeting("Perth Tuesday SMART", venue=hall)
    make_meeting("Perth Family", venue=hall, kind="family", frequency="fortnightly", weekday=3)
    make_meeting("Second Tuesday", venue=hall, frequency="monthly", week_of_month=2)
    make_meeting("SMART Online Sunday", online_url="https://meet.example.org/x", weekday=6)
    make_meeting("HMP Perth SMART group", venue=make_venue(CUSTODY, name="HMP Perth"))


@schema.parametrize()
# The app and its database are made once per test and only read by the API, so reusing them across examples is fine.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_documented(case, app, network):
    """Generated requests get documented answers and never a server error."""
    # The WSGI transport hands back the bytes as sent: ask for them uncompressed, as a decoding client sees them.
    response = case.call(app=app, headers={"Accept-Encoding": "identity"})
    # `near` is free text: a schema-valid string ("0000", "ÿ") can name no place, which the document answers
    # with 400. Only that answer is let off the "valid data is accepted" check; every other 400 still counts.
    unknown_place = response.status_code == 400 and set(response.json().get("errors", {})) == {"near"}
    case.validate_response(response, excluded_checks=[checks.positive_data_acceptance] if unknown_place else [])
