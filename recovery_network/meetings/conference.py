"""Online links that meeting finders believe: TSML UI marks a `conference_url` on any other host "Inactive".

Pure. The hosts are TSML UI's own `conference_providers` setting (code4recovery/tsml-ui public/app.js, v1.8):
a link is recognised when its host is one of them or ends with one (us02web.zoom.us is Zoom). A link
elsewhere still works on our pages, but finders drop the meeting from their day and region filters, so a
facilitator (and an import) is warned rather than refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

RECOGNISED_HOSTS = {
    "bluejeans.com": "Bluejeans",
    "discord.gg": "Discord",
    "freeconference.com": "Free Conference",
    "freeconferencecall.com": "FreeConferenceCall",
    "goto.com": "GoTo",
    "gotomeet.me": "GoTo",
    "gotomeeting.com": "GoTo",
    "horizon.meta.com": "Virtual Reality",
    "maps.secondlife.com": "Virtual Reality",
    "meet.google.com": "Google Meet",
    "meet.jit.si": "Jitsi",
    "meetings.dialpad.com": "Dialpad",
    "signal.group": "Signal",
    "skype.com": "Skype",
    "slurl.com": "Virtual Reality",
    "teams.live.com": "Teams",
    "teams.microsoft.com": "Teams",
    "vrchat.com": "Virtual Reality",
    "webex.com": "WebEx",
    "zoho.com": "Zoho",
    "zoom.us": "Zoom",
}


def _host(url: str) -> str:
    """The link's host in lower case; "" for none, or for a link too broken to read (the link rule refuses it)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:  # "https://[::1": an IPv6 bracket never closed
        return ""


def provider(url: str) -> str | None:
    """The video service finders name for this link, or None when they would call the meeting inactive."""
    host = _host(url)
    for domain, name in RECOGNISED_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return None


def recognised_list() -> str:
    """The services and their hosts in words, for the form's hint: 'Zoom (zoom.us), Teams (…), …'."""
    by_name: dict[str, list[str]] = {}
    for domain, name in RECOGNISED_HOSTS.items():
        by_name.setdefault(name, []).append(domain)
    return ", ".join(f"{name} ({' or '.join(domains)})" for name, domains in sorted(by_name.items()))


def finder_warning(url: str | None) -> str | None:
    """What to tell whoever gave a link that meeting finders will not believe; None when all is well."""
    host = _host(url or "")
    if not host or provider(url) is not None:
        return None
    return (
        f"Meeting finders such as TSML UI don't recognise {host} as a video service: they will show this "
        "meeting as inactive and leave it out of their day and region lists. Our own pages still show the "
        "link. If you can, use Zoom, Google Meet, Teams, Jitsi or another service the hint lists."
    )
