"""Secret links never reach a log: feed and reset tokens are cut out of access-log lines.

Used by the development server's logger (Werkzeug) and by gunicorn's access log (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# Feed tokens are token_urlsafe; reset tokens are itsdangerous strings (with dots). Stop at the path's end.
SECRET_PATHS = re.compile(r"(/(?:rota|pathways)/feed/)[^/\s?#\"]+?(\.ics)|(/account/reset/)[^/\s?#\"]+")


def _blank(match: re.Match) -> str:
    """The path with the token replaced, keeping what shows which route it was."""
    if match.group(3):
        return match.group(3) + REDACTED
    return match.group(1) + REDACTED + match.group(2)


def redact(text: str) -> str:
    """The text with every feed or reset token replaced by [redacted]."""
    return SECRET_PATHS.sub(_blank, text)


class RedactTokens(logging.Filter):
    """A logging filter: formats the record, then redacts the tokens in it (Werkzeug logs the request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def protect_werkzeug_log() -> None:
    """Add the filter to the development server's request log, once."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def gunicorn_logger_class():
    """gunicorn's Logger, with every access-log atom (request line, path, referer, headers) redacted."""
    from gunicorn.glogging import Logger  # only when gunicorn loads it: the app itself never needs gunicorn

    class RedactingLogger(Logger):
        """Access log lines without feed or reset tokens."""

        def atoms(self, resp, req, environ, request_time):
            """gunicorn's atoms, each string value redacted."""
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}

    return RedactingLogger
