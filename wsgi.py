"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from recovery_network import create_app

app = create_app()
