"""Sending email: to a folder or the console by default, by SMTP when configured.

Messages carry no sensitive detail: reminders say *that* something changed, and link to the site.
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the network's address."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="recovery-network.invalid")
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    """Deliver one message with the configured backend (folder, console or smtp)."""
    message = build_message(to, subject, body)
    backend = current_app.config.get("MAIL_BACKEND", "folder")
    if backend == "smtp":
        with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config.get("MAIL_PORT", 587), timeout=20) as smtp:
            if current_app.config.get("MAIL_USE_TLS", True):
                smtp.starttls()
            if current_app.config.get("MAIL_USERNAME"):
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
    elif backend == "console":
        print(message.as_string(), flush=True)
    else:
        folder = current_app.config.get("MAIL_FOLDER") or os.path.join(current_app.instance_path, "outbox")
        os.makedirs(folder, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_") + ".eml"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(message.as_string())


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email, from the configured public address (SITE_URL), never the Host header.

    A forged Host would otherwise put an attacker's domain in a reset email.
    """
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)
