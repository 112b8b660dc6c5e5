"""`flask import-meetings --organisation`: imported series have an owner whose co-ordinators manage them.

The owner is named by its public id or the slug of its name; unnamed, it is the only organisation there is,
and with several the command stops. An unknown name stops it before anything is written. A re-import keeps
each series' owner: a row whose series another organisation owns is skipped, unchanged.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.organisations.models import Organisation
from recovery_network.venues.models import Area, Venue
from tests.api.test_import import FEED, imported, write

MEETING_ROUTES = ("/organise/meetings/{slug}", "/organise/meetings/{slug}/edit")


@pytest.fixture
def two(app_ctx):
    """Two organisations in the network: a mentoring charity and a throughcare service."""
    first = Organisation(name="Tayside Mentors", kind="mentoring")
    second = Organisation(name="Fife Throughcare", kind="throughcare")
    db.session.add_all([first, second])
    db.session.commit()
    # Plain values: the command's session outlives the test's objects.
    return tuple(SimpleNamespace(id=o.id, public_id=o.public_id, name=o.name) for o in (first, second))


def run(runner, path, *extra):
    """Invoke the command as an operator would, into the Fife area."""
    db.session.remove()
    return runner.invoke(args=["import-meetings", path, "--area", "fife", "--area-name", "Fife", *extra])


def counts() -> tuple[int, int, int]:
    """Series, areas and venues: what an import writes."""
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Meeting, Area, Venue))


@pytest.mark.parametrize("name_it", [lambda o: o.public_id, lambda o: "fife-throughcare", lambda o: "Fife Throughcare"])
def test_the_named_organisation_owns_every_imported_series(app_ctx, runner, tmp_path, two, name_it):
    """By public id, by the slug of its name, or by the name as written: the one named owns them all."""
    _, owner = two
    result = run(runner, write(tmp_path, FEED), "--organisation", name_it(owner))
    assert result.exit_code == 0, result.output
    assert "Imported into Fife for Fife Throughcare: 5 created" in result.output
    assert {m.organisation_id for m in imported().values()} == {owner.id}


@pytest.mark.parametrize("given", [("--organisation", "nobody"), ("--organisation", " "), ()])
def test_an_unknown_or_unnamed_organisation_among_several_writes_nothing(app_ctx, runner, tmp_path, two, given):
    """A made-up name, a blank, or none when two exist: a clear message, listing the choices; nothing written."""
    result = run(runner, write(tmp_path, FEED), *given)
    assert result.exit_code != 0
    assert "Nothing imported:" in result.output
    assert "tayside-mentors (" in result.output and "fife-throughcare (" in result.output
    assert counts() == (0, 0, 0)


def test_an_unknown_organisation_writes_nothing_even_on_a_dry_run(app_ctx, runner, tmp_path, two):
    """The name is checked before the feed is read, so a dry run says so too."""
    result = run(runner, write(tmp_path, FEED), "--organisation", "nobody", "--dry-run")
    assert result.exit_code != 0 and "There is no organisation “nobody”" in result.output
    assert counts() == (0, 0, 0)


def test_with_exactly_one_organisation_it_owns_them_unnamed(app_ctx, runner, tmp_path):
    """A network of one needs no --organisation."""
    only = Organisation(name="Recovery Network", kind="mentoring")
    db.session.add(only)
    db.session.commit()
    only = SimpleNamespace(id=only.id)
    result = run(runner, write(tmp_path, FEED))
    assert result.exit_code == 0, result.output
    assert {m.organisation_id for m in imported().values()} == {only.id}


def test_imported_series_are_managed_by_the_owners_coordinators_only(app_ctx, client, auth, runner, tmp_path, two,
                                                                      make_person):
    """The owner's co-ordinator opens and edits every imported series; another's gets 404 on each, as for none."""
    first, second = two
    assert run(runner, write(tmp_path, FEED), "--organisation", "tayside-mentors").exit_code == 0
    ours = make_person("coordinator", organisations=[db.session.get(Organisation, first.id)])
    theirs = make_person("coordinator", organisations=[db.session.get(Organisation, second.id)])
    titles = {m.slug: m.title for m in imported().values()}
    statuses = {m.slug: m.status for m in imported().values()}
    slugs = list(titles)
    auth.login(ours)
    listing = client.get("/organise/?show=all").get_data(as_text=True)
    for slug, title in titles.items():
        assert f"/organise/meetings/{slug}" in listing
        for route in MEETING_ROUTES:
            response = client.get(route.format(slug=slug))
            assert response.status_code == 200 and title in response.get_data(as_text=True)
    auth.logout()
    auth.login(theirs)
    listing = client.get("/organise/?show=all").get_data(as_text=True)
    made_up = client.get("/organise/meetings/no-such-series")
    assert made_up.status_code == 404
    for slug in slugs:
        assert f"/organise/meetings/{slug}" not in listing
        for route in MEETING_ROUTES:
            response = client.get(route.format(slug=slug))
            assert response.status_code == 404 and response.data == made_up.data
        end = client.post(f"/organise/meetings/{slug}/status", data={"status": "ended"})
        assert end.status_code == 404
    assert {m.slug: m.status for m in imported().values()} == statuses


def test_a_reimport_keeps_the_owner_and_another_organisation_cannot_take_a_series(app_ctx, runner, tmp_path, two):
    """The same feed again changes nothing; named for another organisation, each row is skipped with the reason,
    and neither the owner nor the series changes."""
    first, second = two
    path = write(tmp_path, FEED)
    assert run(runner, path, "--organisation", first.public_id).exit_code == 0
    before = {k: (m.organisation_id, m.sequence, m.start_time) for k, m in imported().items()}
    again = run(runner, path, "--organisation", first.public_id)
    assert "0 created, 0 changed, 5 unchanged" in again.output
    write(tmp_path, [dict(FEED[0], time="19:00", end_time="20:30"), *FEED[1:]])
    taken = run(runner, path, "--organisation", second.public_id)
    assert taken.exit_code == 0, taken.output
    assert "row 1 (slug perth-tue): skipped perth-tuesday — owned by another organisation" in taken.output
    assert "0 created, 0 changed, 0 unchanged, 5 skipped" in taken.output
    assert {k: (m.organisation_id, m.sequence, m.start_time) for k, m in imported().items()} == before


def test_series_imported_before_owners_are_adopted_without_a_new_sequence(app_ctx, runner, tmp_path, two):
    """An unowned series from an earlier import is given the importing organisation; calendars see no change."""
    first, _ = two
    path = write(tmp_path, FEED)
    assert run(runner, path, "--organisation", first.public_id).exit_code == 0
    db.session.execute(db.update(Meeting).values(organisation_id=None))
    db.session.commit()
    before = {k: m.sequence for k, m in imported().items()}
    dry = run(runner, path, "--organisation", first.public_id, "--dry-run")
    assert "change perth-tuesday — owner: none → Tayside Mentors" in dry.output
    assert run(runner, path, "--organisation", first.public_id).exit_code == 0
    assert {k: (m.organisation_id, m.sequence) for k, m in imported().items()} == \
        {k: (first.id, sequence) for k, sequence in before.items()}
