"""The kinds of meeting the network runs, with what a newcomer should expect at each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of meeting: its code in URLs and feeds, its name, and a plain description."""

    code: str
    name: str
    expect: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "smart",
        "SMART Recovery meeting",
        "A free, friendly group of about 6 to 12 people working on any addictive behaviour, "
        "led by a trained facilitator. You do not have to speak. Arrive a few minutes early; "
        "the meeting lasts about 90 minutes.",
    ),
    Kind(
        "family",
        "SMART Family & Friends",
        "For people affected by someone else's drinking, drug use or gambling. Tools to look "
        "after yourself and keep communication open. The person you are worried about does not attend.",
    ),
    Kind(
        "cafe",
        "Recovery café",
        "A drop-in: come and go any time during the opening hours, have a tea, meet people with "
        "lived experience of recovery and find out what support is nearby. No booking.",
    ),
    Kind(
        "programme",
        "Recovery group programme",
        "A course that runs for a fixed number of weeks, ending with a graduation. It works best "
        "if you can come every week; ask the facilitator about joining part-way.",
    ),
    # What an imported meeting is when its source names no kind of ours: other fellowships run these, not SMART.
    Kind(
        "mutual-aid",
        "Mutual-aid meeting",
        "A peer support meeting listed by another group's directory. It may follow a different approach "
        "from SMART Recovery: check the listing or ask the organisers what to expect.",
    ),
)

MUTUAL_AID = "mutual-aid"
BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS}


def kind_choices() -> list[tuple[str, str]]:
    """Kinds as (code, name) pairs for select boxes."""
    return [(kind.code, kind.name) for kind in KINDS]
