"""Secret links stay out of the logs: feed and reset tokens are redacted by Werkzeug's and gunicorn's access logs."""

from __future__ import annotations

import logging
import runpy
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Zq3vN8cLw1xY0bA7-Kp_2mRt5sUe9hGdFjH4kLo6PiQ"
RESET = "eyJwIjoiYWJjIiwiZiI6IjEyMyJ9.aw9wQA.w9mc1_bI26WSrq9Dx9xX4d0Pi0o"
SECRET_PATHS = [f"/rota/feed/{TOKEN}.ics", f"/pathways/feed/{TOKEN}.ics", f"/account/reset/{RESET}"]


def test_the_development_server_log_has_no_tokens(app, caplog):
    """A real request through Werkzeug's server: its request-log line names the route, not the token."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in SECRET_PATHS:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=10).close()
                except urllib.error.HTTPError:
                    pass  # a made-up token is a 404; the log line is what matters
    finally:
        server.shutdown()
        thread.join()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == 3, lines
    assert not any(TOKEN in line or RESET in line for line in lines), lines
    assert any("/rota/feed/[redacted].ics" in line for line in lines)
    assert any("/account/reset/[redacted]" in line for line in lines)


@pytest.fixture
def gunicorn_conf():
    """The shipped gunicorn.conf.py, as gunicorn reads it."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_access_log_has_no_tokens(gunicorn_conf, tmp_path):
    """The shipped config's logger class writes gunicorn's own access-log lines, without the tokens."""
    from gunicorn.config import Config

    log = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log))
    logger = gunicorn_conf["logger_class"](cfg)
    for path in SECRET_PATHS:
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": f"https://x.example{path}"}
        response = SimpleNamespace(status="200 OK", sent=120, headers=[("Content-Type", "text/calendar")])
        logger.access(response, SimpleNamespace(headers=[("Host", "x.example")]), environ, timedelta(milliseconds=4))
    for handler in logger.access_log.handlers:
        handler.flush()
    text = log.read_text()
    assert text.count("\n") == 3 and "203.0.113.9" in text
    assert TOKEN not in text and RESET not in text
    assert '"GET /pathways/feed/[redacted].ics HTTP/1.1" 200' in text


def test_gunicorn_refuses_several_workers_with_limits_in_memory(gunicorn_conf, monkeypatch):
    """memory:// limits are counted by each worker alone: 3 workers let 15 wrong passwords a minute through."""
    for name in ("FLASK_RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    on_starting = gunicorn_conf["on_starting"]
    with pytest.raises(SystemExit, match="memory://"):
        on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
    on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))  # one worker: one count
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))  # shared through Redis
