"""Feed fixtures: libical's checker, built once per session (tests/feeds/libical.py)."""

from __future__ import annotations

import pytest

from tests.feeds.libical import Libical, build


@pytest.fixture(scope="session")
def libical(request, tmp_path_factory) -> Libical:
    """libical_check, kept in pytest's cache when there is one so later runs skip the compile."""
    cache = getattr(request.config, "cache", None)
    directory = cache.mkdir("libical") if cache is not None else tmp_path_factory.mktemp("libical")
    return Libical(build(directory))
