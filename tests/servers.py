"""Private servers for tests that need real processes: Redis, gunicorn app nodes, a PostgreSQL cluster.

Each starts on a free loopback port, belongs to the test that started it and is stopped by it. Where a program
is missing the test is skipped with the reason, unless the named REQUIRE_* variable says CI needs it.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(program: str, required_by: str) -> str:
    """The program's path; skip (or fail where `required_by` is set to 1) when it is not installed."""
    path = shutil.which(program)
    if path is None:
        reason = f"{program} is not installed"
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{reason}, and {required_by}=1")
        pytest.skip(reason)
    return path


def pg_program(name: str, required_by: str = "REQUIRE_PG_FAULTS") -> str:
    """A PostgreSQL server program: on PATH, or where Debian keeps it (/usr/lib/postgresql/<version>/bin)."""
    found = shutil.which(name)
    if found is None:
        versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
        found = str(versions[-1]) if versions else None
    if found is None:
        return need(name, required_by)  # skips, or fails in CI
    return found


def need_module(name: str, required_by: str) -> None:
    """Skip (or fail where `required_by` is 1) when a Python package is not installed."""
    import importlib.util

    if importlib.util.find_spec(name) is None:
        if os.environ.get(required_by) == "1":
            pytest.fail(f"{name} is not installed, and {required_by}=1")
        pytest.skip(f"{name} is not installed")


def wait_until(check, seconds: float, what: str) -> None:
    """Poll until check() is true; fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s")


@contextmanager
def redis_server(required_by: str = "REQUIRE_TWO_NODES"):
    """A private redis-server with no persistence; yields its URL."""
    program = need("redis-server", required_by)
    port = free_port()
    process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_open(port), 10, "redis-server did not listen")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def port_open(port: int) -> bool:
    """Whether something accepts connections on the loopback port."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Node:
    """One gunicorn app node (master and workers) on a loopback port."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """One request on a fresh connection: (status, headers, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop gunicorn and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def node_environment(database_url: str, redis_url: str | None, **extra: str) -> dict:
    """A production-like environment: real secret, site and hosts, limits in Redis, one proxy saying https."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(48),
           "SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1,localhost", "GUNICORN_ACCESSLOG": "/dev/null",
           "GUNICORN_CONTROL_SOCKET": "off",
           # Cookies are Secure: the tests speak for a TLS proxy in front (X-Forwarded-Proto: https).
           "TRUSTED_PROXIES": "1", **extra}
    if redis_url:
        env["FLASK_RATELIMIT_STORAGE_URI"] = redis_url
    env.pop("FLASK_DEBUG", None)
    env.pop("TEST_DATABASE_URL", None)
    return env


@contextmanager
def app_nodes(count: int, env: dict, workers: int = 2, app_path: str = "wsgi:app"):
    """`count` gunicorn nodes on the same environment (so the same database and Redis)."""
    need_module("gunicorn", "REQUIRE_TWO_NODES")
    nodes: list[Node] = []
    folder = Path(tempfile.mkdtemp(prefix="rn-nodes-"))
    try:
        for n in range(count):
            port = free_port()
            log = folder / f"node{n}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
                     "-b", f"127.0.0.1:{port}", app_path], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            nodes.append(Node(process, port, log))
        for node in nodes:
            wait_until(lambda node=node: healthy(node), 30, f"node on {node.port} did not answer /healthz "
                       f"({node.log.read_text(errors='replace')[-2000:] if node.log.exists() else ''})")
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(folder, ignore_errors=True)


def healthy(node: Node) -> bool:
    """The node answers /healthz with 200 (and has not exited)."""
    if node.process.poll() is not None:
        raise AssertionError(f"gunicorn exited: {node.log.read_text(errors='replace')[-2000:]}")
    try:
        return node.request("GET", "/healthz", headers={"Host": "127.0.0.1"})[0] == 200
    except OSError:
        return False


class Cluster:
    """A private PostgreSQL cluster (initdb + pg_ctl) on a loopback port, owned by the test that made it."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def run(self, *args: str) -> None:
        """Run a PostgreSQL program as the postgres user (it refuses to run as root)."""
        command = list(args)
        if os.geteuid() == 0:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise AssertionError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(pg_program("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                 "-w", "start")

    def stop(self) -> None:
        """Stop the server at once, cutting every connection (as a crash or a restart would)."""
        self.run(pg_program("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_cluster(required_by: str = "REQUIRE_PG_FAULTS"):
    """A fresh cluster with trust authentication for postgres on 127.0.0.1; removed afterwards."""
    initdb = pg_program("initdb", required_by)
    pg_program("pg_ctl", required_by)
    folder = Path(tempfile.mkdtemp(prefix="rn-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    try:
        cluster.run(initdb, "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        except AssertionError:
            pass  # already stopped by the test
        shutil.rmtree(folder, ignore_errors=True)
