"""Kept answers shared through Redis: one render serves every worker; Redis gone means rendering locally."""

from __future__ import annotations

import logging

import pytest

from recovery_network import create_app
from recovery_network.extensions import db
from tests.servers import redis_server
from tests.test_pagecache import statements

URL = "/meetings?near=Perth&radius=25"


@pytest.fixture
def redis_url():
    """A private Redis for this test."""
    with redis_server() as url:
        yield url


@pytest.fixture
def worker(app):
    """Factory: another app on the same database and Redis (another worker or node, with its own memory)."""
    made = []

    def make(redis_url: str):
        other = create_app({**app.config, "PAGE_CACHE_URL": redis_url})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_one_render_serves_the_other_workers(app, make_meeting, redis_url, worker):
    """Worker A renders and keeps; worker B answers from Redis with only the version read, byte for byte."""
    make_meeting("Perth SMART Recovery")
    first, second = worker(redis_url), worker(redis_url)
    rendered = first.test_client().get(URL)
    with statements(second) as sent:
        shared = second.test_client().get(URL)
    assert sent in (["SELECT"], ["CHECKOUT"]), sent
    assert shared.get_data() == rendered.get_data() and shared.headers["ETag"] == rendered.headers["ETag"]
    packed = second.test_client().get(URL, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"


def test_redis_gone_means_rendering_locally_with_one_warning(app, make_meeting, caplog, worker):
    """No Redis listening: every answer still 200 and correct, one warning, no traceback."""
    make_meeting("Perth SMART Recovery")
    lonely = worker("redis://127.0.0.1:9/0")  # the discard port: nothing answers
    client = lonely.test_client()
    with caplog.at_level(logging.WARNING):
        bodies = [client.get(URL) for _ in range(3)]
    assert all(b.status_code == 200 and "Perth SMART Recovery" in b.get_data(as_text=True) for b in bodies)
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1 and not warnings[0].exc_info
