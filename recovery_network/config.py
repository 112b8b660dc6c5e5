"""Configuration: safe defaults here, secrets and deployment choices from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit

DEV_SECRET = "dev"


class Config:
    """One configuration class; the environment overrides it (DATABASE_URL, SECRET_KEY, FLASK_*)."""

    SECRET_KEY = DEV_SECRET
    # SQLite in instance/ is the embedded default; create_app fills in the absolute path.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # The network's time zone (IANA): new meetings, release days, plans; read only by localzone.py.
    TIMEZONE = "Europe/London"
    # "offline" uses the shipped GeoNames gazetteer; "nominatim" asks OpenStreetMap (cached in the DB).
    GEOCODER = "offline"
    GEOCODER_USER_AGENT = "recovery-network"
    # Meeting Guide wants an approximate origin for online-only meetings, within one time zone.
    ONLINE_REGION = "Scotland, UK"
    SEARCH_PAGE_SIZE = 20
    # A pathway's plan books community meetings only this near the destination; further, it offers online ones.
    PLAN_MEETING_MILES = 10
    # Cookies: Secure except over plain http in local development (create_app relaxes it in debug).
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    MAX_CONTENT_LENGTH = 2_000_000
    # Rate limits: memory:// suits one process (gunicorn.conf.py refuses it with more workers);
    # production with several workers or nodes sets redis://127.0.0.1:6379/0, shared by all of them.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis gone: count in each worker's memory (with a logged warning) and go back to Redis when it
    # returns, rather than answer 500 and let nobody log in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Wrong passwords, counted per account *and* address: a stranger elsewhere cannot lock the owner out.
    LOGIN_LIMITS = "5 per minute; 20 per hour"
    # Wrong passwords from one address, whatever the account (one address trying many accounts).
    LOGIN_ADDRESS_LIMITS = "20 per minute; 100 per hour"
    # The softer brake: wrong passwords for one account from everywhere. Higher than one address can
    # reach alone, so only a spread-out attack meets it (and then slows it, for an hour at most).
    LOGIN_ACCOUNT_LIMITS = "100 per hour"
    # Register and reset requests per address, and emails they send to one inbox.
    FORM_LIMITS = "5 per minute; 20 per hour"
    MAIL_LIMITS = "3 per hour"
    # How many proxies in front set X-Forwarded-For/-Proto (0 = none: the headers are ignored, as anyone
    # could send them). Behind one TLS proxy, 1: each visitor's own address is limited, not the proxy's.
    TRUSTED_PROXIES = 0
    # Strict-Transport-Security on https answers (a year); 0 turns it off.
    HSTS_SECONDS = 31_536_000
    # Email: "folder" writes .eml files to instance/outbox, "console" prints, "smtp" sends.
    MAIL_BACKEND = "folder"
    MAIL_FOLDER: str | None = None
    MAIL_FROM = "Recovery Network <no-reply@recovery-network.invalid>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    PASSWORD_RESET_MAX_AGE = 3600
    # The public address, for every link in an email (never the request's Host header, which anyone can
    # forge). Required outside debug and tests; create_app fills in the development address there.
    SITE_URL: str | None = None
    # A session lasts 30 idle minutes (rolling) and never more than 12 hours from login.
    SESSION_ABSOLUTE_HOURS = 12
    # Closed pathways are erased this many days after closing (ICO storage limitation; set by the charity).
    PATHWAY_RETENTION_DAYS = 90
    # Pending accounts nobody approved are erased after this many days (`flask purge-accounts`, daily).
    PENDING_ACCOUNT_DAYS = 30
    # How a person with no phone reaches their mentor: printed in the liberation pack.
    NETWORK_PHONE = "0300 000 0000"
    # Public answers (pagecache.py) are kept in each worker; a Redis URL here shares them between workers and nodes.
    PAGE_CACHE_URL: str | None = None


def environment_overrides() -> dict:
    """Read the deployment settings the README documents by their plain names."""
    overrides: dict = {}
    if url := os.environ.get("DATABASE_URL"):
        # Heroku-style URLs say postgres://; SQLAlchemy needs a driver name.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        overrides["SQLALCHEMY_DATABASE_URI"] = url
    if key := os.environ.get("SECRET_KEY"):
        overrides["SECRET_KEY"] = key
    if site := os.environ.get("SITE_URL"):
        overrides["SITE_URL"] = site
    if proxies := os.environ.get("TRUSTED_PROXIES"):
        overrides["TRUSTED_PROXIES"] = int(proxies)
    if storage := os.environ.get("RATELIMIT_STORAGE_URI"):
        overrides["RATELIMIT_STORAGE_URI"] = storage
    if zone := os.environ.get("TIMEZONE"):
        overrides["TIMEZONE"] = zone
    if page_cache := os.environ.get("PAGE_CACHE_URL"):
        overrides["PAGE_CACHE_URL"] = page_cache
    if hosts := os.environ.get("TRUSTED_HOSTS"):
        # Flask 3.1 refuses requests for other Host headers (they would shape links in emails and feeds).
        overrides["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
    return overrides


def weak_secret(key: str | None) -> bool:
    """A secret that is missing, the development default or short can be guessed to forge sessions."""
    return not key or key == DEV_SECRET or len(key) < 32


def deployment_problems(config) -> list[str]:
    """What stops a production start: links in emails and the Host check need a public address and trusted hosts."""
    from werkzeug.sansio.utils import host_is_trusted

    problems = []
    site = urlsplit(config.get("SITE_URL") or "")
    hosts = config.get("TRUSTED_HOSTS")
    if site.scheme not in ("http", "https") or not site.hostname:
        problems.append("set SITE_URL to the public address, like https://meetings.example.org")
    if not hosts:
        problems.append("set TRUSTED_HOSTS to the host names the site answers to, comma-separated")
    elif site.hostname and not host_is_trusted(site.hostname, hosts):
        problems.append(f"SITE_URL's host {site.hostname} is not in TRUSTED_HOSTS")
    return problems


def limit_storage_problem(storage_uri: str, workers: int) -> str | None:
    """Limits kept in memory are per process: with several workers each counts alone and the limit multiplies."""
    if storage_uri.startswith("memory://") and workers > 1:
        return (f"rate limits in memory:// are counted by each of the {workers} workers separately; "
                "set FLASK_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 or run one worker")
    return None
