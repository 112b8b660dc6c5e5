"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (the web app alone; `flask` runs the commands)."""

from recovery_network import create_app

app = create_app(serving=True)
