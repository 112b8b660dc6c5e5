"""Cross-origin rules over HTTP: public read-only answers are readable from any site, with preflight and
exposed validators; private feeds and every page get no CORS headers at all. (The browser's own view of the
same rules is tests/browser/test_cross_origin.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recovery_network import demo
from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.pathways import feeds as pathway_feeds
from recovery_network.pathways.models import Pathway
from recovery_network.rota import feeds as rota_feeds
from recovery_network.types import utcnow

OTHER_SITE = "https://finder.example.org"
PUBLIC = [
    "/api/meetings.json",
    "/api/v1/meetings",
    "/api/v1/meetings?near=Perth&radius=25",
    "/api/v1/meetings/perth-smart-tuesday",
    "/api/v1/openapi.json",
    "/feeds/meetings.ics",
    "/feeds/meetings.ics?near=Dundee&radius=10",
    "/meetings/perth-smart-tuesday.ics",
]
V1 = [url for url in PUBLIC if url.startswith("/api/v1/")]
PAGES = ["/", "/meetings?near=Perth", "/meetings/perth-smart-tuesday", "/healthz", "/accounts/login"]
PREFLIGHT = {
    "Origin": OTHER_SITE,
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "if-none-match",
}


@pytest.fixture
def network(app):
    """The demo network, with a live rota link and a live pathway link."""
    with app.app_context():
        demo.seed(utcnow())
        facilitator = db.session.scalar(select(Person).where(Person.email.startswith("facilitator@")))
        links = {
            "rota": f"/rota/feed/{rota_feeds.issue_token(facilitator)}.ics",
            "pathway": f"/pathways/feed/{pathway_feeds.issue_token(db.session.scalars(select(Pathway).where(Pathway.first_name == 'Dee')).one())}.ics",
        }
        db.session.commit()
    return links


def cors_headers(response) -> dict[str, str]:
    """Every Access-Control-* header of a response."""
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def listed(value: str | None) -> set[str]:
    """A comma-separated header value as a lower-case set."""
    return {item.strip().lower() for item in (value or "").split(",") if item.strip()}


@pytest.mark.parametrize("url", PUBLIC)
def test_public_answers_are_readable_from_another_site_with_their_validators(client, network, url):
    """Any origin, no credentials, and ETag / Last-Modified exposed to the page's script."""
    response = client.get(url, headers={"Origin": OTHER_SITE})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert {"etag", "last-modified"} <= listed(response.headers.get("Access-Control-Expose-Headers"))
    assert response.headers.get("ETag")


@pytest.mark.parametrize("url", PUBLIC)
def test_a_revalidating_request_is_preflighted_and_allowed(client, network, url):
    """OPTIONS with If-None-Match requested: allowed for GET from any origin, and the answer is cacheable."""
    response = client.options(url, headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in listed(response.headers.get("Access-Control-Allow-Headers"))
    assert "get" in listed(response.headers.get("Access-Control-Allow-Methods"))
    assert int(response.headers["Access-Control-Max-Age"]) >= 600


@pytest.mark.parametrize("which", ["rota", "pathway"])
def test_private_feeds_get_no_cors_headers(client, network, which):
    """A secret link is for the person's own calendar app, never for a script on another site."""
    url = network[which]
    got = client.get(url, headers={"Origin": OTHER_SITE})
    assert got.status_code == 200 and got.mimetype == "text/calendar"
    assert cors_headers(got) == {}
    assert cors_headers(client.options(url, headers=PREFLIGHT)) == {}


@pytest.mark.parametrize("url", PAGES)
def test_pages_get_no_cors_headers(client, network, url):
    """Pages (and anything not on the public list) stay same-origin, preflight included."""
    assert cors_headers(client.get(url, headers={"Origin": OTHER_SITE})) == {}
    assert cors_headers(client.options(url, headers=PREFLIGHT)) == {}


@pytest.mark.parametrize("url", V1)
def test_v1_answers_carry_an_etag_and_caching_and_revalidate_to_304(client, network, url):
    """A strong ETag and public caching; If-None-Match gives 304 with the same ETag, still readable cross-site."""
    first = client.get(url, headers={"Origin": OTHER_SITE})
    etag, weak = first.get_etag()
    assert etag and not weak
    assert first.cache_control.public and first.cache_control.max_age == 300
    again = client.get(url, headers={"Origin": OTHER_SITE, "If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""
    assert again.get_etag() == (etag, False)
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_a_v1_error_is_readable_cross_site_but_not_cached(client, network):
    """A bad filter's 400 is JSON a finder can read, with no ETag to keep it by."""
    response = client.get("/api/v1/meetings?radius=nope", headers={"Origin": OTHER_SITE})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" not in response.headers
