"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working directory (the repository root).

Everything can be overridden on the command line or through the environment variables named here.
"""

import os

from recovery_network.config import limit_storage_problem
from recovery_network.redaction import gunicorn_logger_class

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # behind the TLS proxy, on the same machine
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Workers' heartbeat files in memory: on a busy or slow disk the arbiter would otherwise kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket lives in $HOME by default: two nodes on one machine (tests, benchmarks) would
# share it, so they turn it off.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET") == "off"
# The access log, with feed and reset tokens cut out of every line (they are secrets in the path).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
logger_class = gunicorn_logger_class()


def on_starting(server):
    """Refuse to start where the login limits could not hold: memory:// counted by each worker alone."""
    storage = os.environ.get("FLASK_RATELIMIT_STORAGE_URI") or os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    if problem := limit_storage_problem(storage, server.cfg.workers):
        raise SystemExit(f"Refusing to start: {problem}.")
