"""Login limits that hold in production: per account and address, across workers, behind a proxy, without Redis."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis

from recovery_network import create_app
from recovery_network.extensions import db
from tests.conftest import PASSWORD, outbox

REDIS = "redis://127.0.0.1:6379/15"  # the machine's Redis; tests use db 15 and delete only their own keys


@pytest.fixture
def limited(app):
    """Factory: a copy of the test app with rate limiting on (and the given settings); engines closed after."""
    made = []

    def make(**config):
        limited_app = create_app({**app.config, "RATELIMIT_ENABLED": True, **config})
        made.append(limited_app)
        return limited_app

    yield make
    for each in made:
        with each.app_context():
            db.engine.dispose()


def login(client, email, password="wrong password", address="10.0.0.1", **headers):
    """POST the login form from an address; the status code."""
    return client.post("/account/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers).status_code


def test_a_stranger_cannot_lock_the_owner_out(limited, make_person):
    """Five wrong passwords from one address stop that address, not the owner's right password from another."""
    owner = make_person("peer_mentor")
    client = limited().test_client()
    assert [login(client, owner.email) for _ in range(6)] == [200] * 5 + [429]
    assert login(client, owner.email, PASSWORD, address="10.0.0.2") == 302


def test_the_right_password_costs_nothing(limited, make_person):
    """Only failures count: a volunteer logging in often is never limited."""
    owner = make_person("peer_mentor")
    client = limited(LOGIN_LIMITS="3 per minute").test_client()
    assert {login(client, owner.email, PASSWORD) for _ in range(6)} == {302}


def test_one_address_trying_many_accounts_is_stopped(limited):
    """Credential stuffing from one address meets the per-address limit, whichever accounts it names."""
    client = limited(LOGIN_ADDRESS_LIMITS="4 per minute").test_client()
    assert [login(client, f"p{n}@example.org") for n in range(5)] == [200] * 4 + [429]
    assert login(client, "p9@example.org", address="10.0.0.2") == 200


def test_a_spread_out_attack_on_one_account_meets_the_softer_brake(limited, make_person):
    """Many addresses, each under its own limit, still meet the per-account brake together."""
    owner = make_person("peer_mentor")
    client = limited(LOGIN_ACCOUNT_LIMITS="6 per hour").test_client()
    codes = [login(client, owner.email, address=f"10.0.{n // 2}.1") for n in range(7)]
    assert codes == [200] * 6 + [429]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(limited, make_person):
    """With TRUSTED_PROXIES=1 the visitor's address comes from X-Forwarded-For, so one bad visitor is not everyone."""
    owner = make_person("peer_mentor")
    client = limited(TRUSTED_PROXIES=1).test_client()
    bad = [login(client, owner.email, address="127.0.0.1", **{"X-Forwarded-For": "198.51.100.1"}) for _ in range(6)]
    assert bad == [200] * 5 + [429]
    assert login(client, owner.email, address="127.0.0.1", **{"X-Forwarded-For": "198.51.100.2"}) == 200


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(limited, make_person):
    """X-Forwarded-For is anyone's to send: unless a proxy is trusted it cannot buy new addresses."""
    owner = make_person("peer_mentor")
    client = limited().test_client()
    codes = [login(client, owner.email, **{"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(6)]
    assert codes == [200] * 5 + [429]


def test_hsts_only_on_https(limited):
    """Strict-Transport-Security is sent over https (here, as a trusted proxy says), never over plain http."""
    client = limited(TRUSTED_PROXIES=1).test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_registration_emails_one_address_at_most_three_times_an_hour(limited, app):
    """Strangers cannot fill someone's inbox (or the people table) by registering their address again and again."""
    client = limited().test_client()
    data = {"email": "victim@example.org", "first_name": "Robin", "role": "peer_mentor",
            "password": "a long enough passphrase", "confirm": "a long enough passphrase"}
    codes = [client.post("/account/register", data=data, environ_base={"REMOTE_ADDR": f"10.1.0.{n}"}).status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 429]
    codes = [client.post("/account/reset", data={"email": "victim@example.org"},
                         environ_base={"REMOTE_ADDR": f"10.2.0.{n}"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len([m for m in outbox(app) if m.to == "victim@example.org"]) == 6


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the shared Redis (db 15); its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379 (the shared limit store)")
    prefix = f"rn-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_workers_sharing_redis_share_the_limit(limited, make_person, redis_prefix):
    """Two app processes (workers or nodes) on one Redis: the sixth wrong password is refused whichever answers."""
    owner = make_person("peer_mentor")
    settings = {"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": redis_prefix}
    workers = [limited(**settings).test_client(), limited(**settings).test_client()]
    codes = [login(workers[n % 2], owner.email) for n in range(6)]
    assert codes == [200] * 5 + [429]


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_redis_gone_login_register_and_reset_still_answer(limited, make_person, caplog):
    """Redis unreachable: no 500; the limits carry on in memory, with a warning in the log."""
    owner = make_person("peer_mentor")
    client = limited(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/15").test_client()
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        assert [login(client, owner.email) for _ in range(6)] == [200] * 5 + [429]
        assert login(client, owner.email, PASSWORD, address="10.0.0.2") == 302
        register = client.post("/account/register", data={"email": "new@example.org", "first_name": "Robin",
                                "role": "peer_mentor", "password": "a long enough passphrase",
                                "confirm": "a long enough passphrase"})
        assert register.status_code == 200
        assert client.post("/account/reset", data={"email": owner.email}).status_code == 200
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to start a private Redis")
def test_limits_go_back_to_redis_when_it_returns(limited, make_person, tmp_path):
    """After the fallback, the limiter checks Redis again and counts there once it is back."""
    port = free_port()
    owner = make_person("peer_mentor")
    client = limited(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0").test_client()
    assert login(client, owner.email) == 200  # Redis is not there yet: counted in memory
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        ours = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                ours.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        keys = []
        while not keys and time.monotonic() < deadline:
            time.sleep(0.5)
            login(client, owner.email, address="10.9.0.1")
            keys = list(ours.scan_iter("*login*"))
        assert keys, "the limiter never went back to Redis"
        ours.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
