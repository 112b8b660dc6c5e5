"""Expand a feed with ical.js (Thunderbird's parser) through node, to cross-check the Python expander.

Skips with a reason when node or tests/js/node_modules is missing; fails instead when REQUIRE_ICALJS
is set, as CI does after `npm ci --prefix tests/js`, so the cross-check cannot silently vanish there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS_DIR / "expand.mjs"


class IcalJsError(RuntimeError):
    """ical.js refused the feed (for example a TZID that would float) or node failed."""


def _node() -> str:
    """The node binary, or a skip (a failure under REQUIRE_ICALJS) saying how to get the cross-check."""
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node is not on PATH")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        missing.append("tests/js/node_modules/ical.js is missing")
    if missing:
        reason = "ical.js cross-check needs node and `npm ci` in tests/js: " + "; ".join(missing)
        if os.environ.get("REQUIRE_ICALJS"):
            pytest.fail(reason)
        pytest.skip(reason)
    return node


def run_icaljs(body: bytes, start: datetime, end: datetime) -> list[dict]:
    """Occurrences ical.js finds starting in [start, end): uid, start_utc_iso, summary, recurrence_id."""
    node = _node()
    window = [t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for t in (start, end)]
    done = subprocess.run(
        [node, str(SCRIPT), *window], input=body, capture_output=True, cwd=JS_DIR, timeout=120, check=False
    )
    if done.returncode != 0:
        raise IcalJsError(done.stderr.decode(errors="replace").strip())
    return json.loads(done.stdout)


def expand_with_icaljs(body: bytes, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """(uid, aware UTC start) for each occurrence ical.js expands in [start, end), sorted."""
    found = run_icaljs(body, start, end)
    pairs = [(o["uid"], datetime.fromisoformat(o["start_utc_iso"].replace("Z", "+00:00"))) for o in found]
    return sorted(pairs)
