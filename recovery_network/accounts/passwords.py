"""Password rules (ASVS 6.2): long enough, not a well-known one, any characters, never truncated.

Pure: no Flask, no database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 128  # long passphrases are welcome; this only stops absurd request bodies
COMMON = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords attackers try first."""
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", first_name: str = "") -> str | None:
    """What is wrong with a new password, in words a person can act on; None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words strung together works well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    stripped = lowered.rstrip("0123456789!?.")
    if lowered in common_passwords() or stripped in common_passwords():
        return "That password is one of the first that attackers try. Choose something less common."
    local = email.split("@", 1)[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (first_name and lowered == first_name.lower()):
        return "Don't use your name or email address in your password."
    if len(set(password)) < 4:
        return "Use a password with more variety than that."
    return None
