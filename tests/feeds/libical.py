"""Read a feed with libical (the C library behind Evolution and GNOME Calendar), the suite's third parser.

A small checker (libical_check.c) is built with cc against Debian's libical-dev the first time a test asks
for it, and kept under pytest's cache (or its temporary directory) by a hash of its source. It parses the
feed, runs libical's RFC 5546 restriction check, and expands each series through the feed's own VTIMEZONE.
Skips with a reason when cc or libical is missing; fails instead when REQUIRE_LIBICAL=1, as CI sets it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("libical_check.c")
HEADER = Path("/usr/include/libical/ical.h")


class LibicalError(AssertionError):
    """libical refused the feed: a parse error, a failed restriction check, or a TZID that would float."""


@dataclass(frozen=True)
class Reading:
    """What libical made of a feed: its complaints, and each occurrence as (UID, UTC start)."""

    errors: list[tuple[str, str]]
    occurrences: list[tuple[str, datetime]]


def _unavailable(reason: str) -> None:
    """Skip with the reason, or fail when the run insists on libical (REQUIRE_LIBICAL=1)."""
    reason = f"libical cross-check: {reason}. Install Debian's libical-dev (and pkg-config); CI does."
    if os.environ.get("REQUIRE_LIBICAL") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _flags() -> list[str]:
    """Compiler and linker flags for libical: pkg-config's, or the Debian defaults without it."""
    if shutil.which("pkg-config"):
        found = subprocess.run(
            ["pkg-config", "--cflags", "--libs", "libical"], capture_output=True, text=True, check=False
        )
        if found.returncode == 0:
            return found.stdout.split()
        _unavailable("pkg-config does not know libical")
    if not HEADER.is_file():
        _unavailable(f"{HEADER} is missing")
    return ["-lical"]


def build(directory: Path) -> Path:
    """The checker binary, compiled once per source and libical build into `directory`."""
    compiler = shutil.which("cc")
    if compiler is None:
        _unavailable("no C compiler (cc) on PATH")
    flags = _flags()
    key = hashlib.sha256(SOURCE.read_bytes() + " ".join(flags).encode()).hexdigest()[:16]
    binary = directory / f"libical_check-{key}"
    if not binary.exists():
        partial = directory / f"{binary.name}.{os.getpid()}"
        built = subprocess.run(
            [compiler, "-O1", "-Wall", "-o", str(partial), str(SOURCE), *flags],
            capture_output=True, text=True, check=False, timeout=120,
        )
        if built.returncode != 0:
            _unavailable(f"cc could not build {SOURCE.name}: {built.stderr.strip()[-600:]}")
        partial.replace(binary)  # atomic: a parallel run never executes a half-written file
    return binary


class Libical:
    """The built checker, run once per feed."""

    def __init__(self, binary: Path) -> None:
        """Wrap a built libical_check binary."""
        self.binary = binary

    def read(self, body: bytes, start: datetime, end: datetime) -> Reading:
        """libical's errors and the (UID, UTC start) of every occurrence starting in [start, end)."""
        window = [str(int(t.timestamp())) for t in (start, end)]
        done = subprocess.run(
            [str(self.binary), *window], input=body, capture_output=True, timeout=120, check=False
        )
        if done.returncode not in (0, 1):
            raise LibicalError(f"libical_check crashed ({done.returncode}): {done.stderr.decode(errors='replace')}")
        errors, slots, overrides = [], {}, []
        for line in done.stdout.decode().splitlines():
            kind, *fields = line.split("\t")
            if kind == "ERROR":
                errors.append((fields[0], fields[1]))
            elif kind == "SLOT":
                uid, begins, all_day = fields
                slots.setdefault(uid, set()).add((int(begins), all_day == "1"))
            elif kind == "OVERRIDE":
                uid, original, begins, all_day = fields
                overrides.append((uid, int(original), int(begins), all_day == "1"))
        for uid, original, begins, all_day in overrides:
            # An override replaces the slot it names (RFC 5545 §3.8.4.4), as every client does.
            slots.setdefault(uid, set()).discard((original, all_day))
            slots[uid].add((begins, all_day))
        found = [
            (uid, datetime.fromtimestamp(begins, timezone.utc))
            for uid, starts in slots.items()
            for begins, all_day in starts  # an all-day item at its date's midnight UTC, as the others read it
        ]
        return Reading(errors, sorted(o for o in found if start <= o[1] < end))

    def expand(self, body: bytes, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(UID, UTC start) of each occurrence in [start, end), refusing any feed libical complains about."""
        reading = self.read(body, start, end)
        if reading.errors:
            raise LibicalError(f"libical: {reading.errors}")
        return reading.occurrences
