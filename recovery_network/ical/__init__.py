"""The ground floor for calendars: iCalendar feeds built from plain data, with no Flask, database or domain.

builder.py (FeedEvent in, RFC 5545 bytes out), contentlines.py (each VEVENT's lines), vtimezone.py (the
VTIMEZONE for a zone), rendered.py (the memo of rendered events), tokens.py (secret-link token rules).
Which meetings go in a feed, caching and the HTTP answer stay in feeds/, rota/feeds.py and pathways/feeds.py;
tests/test_layers.py holds this package to importing none of them.
"""
