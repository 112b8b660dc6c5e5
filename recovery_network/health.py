"""Health check for load balancers and uptime monitors."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from recovery_network.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Healthy when the database answers; no counts, since counts could reveal custody sessions."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database fault means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")
