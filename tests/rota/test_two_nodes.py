"""Two app nodes (two gunicorn processes, 2 workers each) on one database and one Redis, as a scaled-out site runs.

Fifty people sign up for two places through both nodes at once: exactly two are confirmed. Wrong passwords
sent to both nodes in turn meet one shared limit. Everything goes over real HTTP, through the production
gunicorn.conf.py, with CSRF on and Secure cookies (the test speaks as the TLS proxy: X-Forwarded-Proto).
Skipped with a reason where gunicorn or redis-server is missing, unless REQUIRE_TWO_NODES=1 (CI).
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.rota.models import RotaSlot, Signup
from tests.conftest import PASSWORD
from tests.rota.conftest import next_date
from tests.servers import Node, app_nodes, node_environment, redis_server

CROWD = 50
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class Browser:
    """One person's browser: keeps its cookies and sends what a browser behind the TLS proxy would."""

    def __init__(self, address: str) -> None:
        self.cookies: dict[str, str] = {}
        self.address = address

    def send(self, node: Node, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        """One request to a node; the status and the body."""
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address,
                   "Referer": "https://127.0.0.1/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, data = node.request(method, path, body, headers)
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, data.decode(errors="replace")

    def token(self, node: Node, path: str) -> str:
        """The CSRF token a page carries for this browser's session."""
        status, body = self.send(node, "GET", path)
        found = TOKEN.search(body)
        assert status == 200 and found, f"no CSRF token on {path} ({status})"
        return found.group(1) or found.group(2)

    def log_in(self, node: Node, email: str, password: str = PASSWORD) -> int:
        """Fill in and send the login form."""
        token = self.token(node, "/account/login")
        return self.send(node, "POST", "/account/login", {"email": email, "password": password, "csrf_token": token})[0]


@pytest.fixture
def nodes(app):
    """Two nodes on the test's database and a private Redis (limits shared, pages shared)."""
    with redis_server() as redis_url:
        env = node_environment(app.config["SQLALCHEMY_DATABASE_URI"], redis_url, PAGE_CACHE_URL=redis_url)
        with app_nodes(2, env) as running:
            yield running


@pytest.mark.slow
def test_fifty_sign_ups_through_two_nodes_fill_exactly_two_places(app, community, make_volunteer, nodes):
    """Half the crowd on each node, all at once: the database decides, so 2 confirmed and 48 waiting."""
    on = next_date(community)
    people = [make_volunteer(f"V{n:02d}", email=f"v{n}@example.org") for n in range(CROWD)]
    meeting_id, emails = community.id, [person.email for person in people]
    db.session.close()  # the nodes write; this test only reads afterwards
    browsers = [Browser(f"10.1.0.{n}") for n in range(CROWD)]

    def log_in(n: int) -> str:
        node = nodes[n % 2]
        assert browsers[n].log_in(node, emails[n]) == 302
        return browsers[n].token(node, "/rota/")

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(log_in, range(CROWD)))
    start = threading.Barrier(CROWD)

    def press(n: int) -> int:
        form = {"meeting_id": meeting_id, "occurrence_date": on.isoformat(), "role": "peer_mentor",
                "csrf_token": tokens[n]}
        start.wait()  # everyone presses at once, half on each node
        return browsers[n].send(nodes[(n + 1) % 2], "POST", "/rota/signup", form)[0]

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        codes = list(pool.map(press, range(CROWD)))
    assert codes == [302] * CROWD
    counts = dict(db.session.execute(
        select(Signup.status, func.count()).where(Signup.meeting_id == meeting_id).group_by(Signup.status)
    ).all())
    assert counts == {"confirmed": 2, "waitlisted": CROWD - 2}
    assert db.session.scalar(select(RotaSlot.filled)) == 2


@pytest.mark.slow
def test_the_login_limit_is_one_limit_across_both_nodes(app, make_person, nodes):
    """Five wrong passwords spread over the two nodes, then the sixth is refused by either."""
    email = make_person("peer_mentor").email
    db.session.close()
    attacker = Browser("10.2.0.1")
    statuses = [attacker.log_in(nodes[n % 2], email, "wrong password") for n in range(5)]
    assert statuses == [200] * 5
    assert attacker.log_in(nodes[1], email, "wrong password") == 429
    assert attacker.log_in(nodes[0], email, "wrong password") == 429
    # The owner, from home, is not locked out by the stranger (per account *and* address).
    assert Browser("10.3.0.1").log_in(nodes[0], email) == 302
