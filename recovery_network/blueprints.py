"""A package's blueprint, named after the package, that nests its other screens (blueprint = package).

Flask joins a nested blueprint's url_prefix onto its parent's, so a parent whose own routes sit under
/pathways could not hold a screen under /referrals. PackageBlueprint has no url_prefix of its own: its
own routes go under own_prefix, and each nested blueprint keeps the url_prefix it names.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint


class PackageBlueprint(Blueprint):
    """A blueprint whose own routes sit under own_prefix, while nested blueprints choose their own paths."""

    def __init__(self, name: str, import_name: str, own_prefix: str, **options: Any) -> None:
        """Like Blueprint(name, import_name, url_prefix=...), but the prefix stops at this blueprint's routes."""
        super().__init__(name, import_name, **options)
        self.own_prefix = own_prefix

    def add_url_rule(self, rule: str, *args: Any, **options: Any) -> None:
        """Put one of this blueprint's own rules under own_prefix, exactly as url_prefix would."""
        rule = "/".join((self.own_prefix.rstrip("/"), rule.lstrip("/"))) if rule else self.own_prefix
        super().add_url_rule(rule, *args, **options)
