"""A newcomer's journey in a real browser: find a meeting on a phone, read it, put it in a calendar.

These run the migrated app with the demo network (tests/browser/conftest.py) in headless Chromium.
They prove what unit tests cannot: the htmx enhancement really swaps results in place, the plain form
still works with JavaScript off, the keyboard path is usable, and the page never calls another host.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.browser.conftest import expect, host_of

pytestmark = pytest.mark.browser

TIME_RANGE = re.compile(r"\d{2}:\d{2}–\d{2}:\d{2}")
FOCUS_RING = "rgb(255, 191, 71)"  # --focus in site.css


def search_from_home(page, place: str) -> None:
    """Open the front page, type a place into the box and press Enter, as a person on a phone would."""
    page.goto("/")
    page.locator("#near").fill(place)
    page.locator("#near").press("Enter")


def result_titles(page) -> list[str]:
    """The meeting titles in the results list, in order."""
    return [t.strip() for t in page.locator("#results .card h3 a").all_inner_texts()]


def focus_state(page) -> dict:
    """What has keyboard focus, whether it counts as :focus-visible, and the outline drawn around it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: el.textContent.trim(),
                focusVisible: el.matches(':focus-visible'),
                outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, outlineColor: style.outlineColor,
                onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
                          && box.right <= innerWidth && box.bottom <= innerHeight,
            };
        }"""
    )


def test_newcomer_finds_a_perth_meeting_and_adds_it_to_their_calendar(page, live_server):
    """Phone, type Perth, Enter: Perth meetings and no custody ones; the meeting page gives dates and a working .ics."""
    search_from_home(page, "Perth")

    expect(page.locator("#results h2")).to_contain_text("of Perth")
    titles = result_titles(page)
    assert titles and any("Perth" in t for t in titles), titles
    assert "HMP" not in page.locator("body").inner_text()  # custody meetings are never public

    first = page.locator("#results .card h3 a").first
    chosen = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/meetings/[a-z0-9-]+$"))
    title = page.locator("h1").inner_text().strip()
    assert title == chosen

    dates = page.locator("#dates")
    expect(dates.get_by_role("heading", name="Next dates")).to_be_visible()
    first_date = dates.locator("li time").first
    expect(first_date).to_have_text(TIME_RANGE)

    subscribe = page.get_by_role("link", name="Add to my calendar")
    download = page.get_by_role("link", name="Download calendar file (.ics)")
    expect(subscribe).to_be_visible()
    expect(download).to_be_visible()
    webcal = subscribe.get_attribute("href")
    ics_url = download.get_attribute("href")
    assert webcal.startswith("webcal://"), webcal
    assert ics_url.endswith(".ics") and ics_url.startswith(live_server)
    assert webcal == "webcal://" + ics_url.split("://", 1)[1]  # the same feed, subscribed rather than downloaded

    response = page.request.get(ics_url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    series = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    assert len(series) == 1
    event = series[0]
    assert str(event["SUMMARY"]) == title
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART").tzinfo is not None


def test_enter_sends_one_search_not_a_second_after_the_typing_pause(page):
    """Enter searches at once; the 500 ms typing pause must not fetch and swap the same results again."""
    searches = []
    page.on("request", lambda r: searches.append(r.url) if "/meetings?" in r.url and r.headers.get("hx-request") else None)
    search_from_home(page, "Perth")
    expect(page.locator("#results h2")).to_contain_text("of Perth")
    page.wait_for_timeout(1200)  # past the 500 ms pause, when the duplicate used to be sent
    assert len(searches) == 1, searches
    # A different search is still sent.
    page.locator("#near").fill("Dundee")
    page.locator("#near").press("Enter")
    expect(page.locator("#results h2")).to_contain_text("of Dundee")
    page.wait_for_timeout(700)
    assert len(searches) == 2, searches


def test_a_slow_search_still_arrives_when_the_typing_pause_fires_during_it(page):
    """Enter, and the search takes longer than the 500 ms typing pause (a loaded server, a slow phone): the
    repeat that the pause asks for is dropped, and the search already on its way is still shown.

    The search is held at the network until the page has asked for the repeat, so this does not depend on
    how fast the machine is: before the fix, hx-sync aborted the held search and the repeat was dropped too.
    """
    held = []
    page.route(re.compile(r"/meetings\?"), lambda route: held.append(route) if route.request.headers.get("hx-request")
               else route.continue_())
    page.add_init_script("""
        window.searchAttempts = 0;
        document.addEventListener("htmx:confirm", function (event) {
            if (event.detail.elt.matches && event.detail.elt.matches("form.search")) { window.searchAttempts += 1; }
        }, true);
    """)
    search_from_home(page, "Perth")
    page.wait_for_function("() => window.searchAttempts >= 2")  # Enter, then the typing pause, while the first is held
    assert len(held) == 1, [r.request.url for r in held]
    held[0].continue_()
    expect(page.locator("#results h2")).to_contain_text("of Perth")
    assert result_titles(page)


def test_custody_meetings_have_no_public_page(page):
    """A custody meeting's address is not a page anyone can open, even by guessing the slug."""
    response = page.goto("/meetings/hmp-perth-smart")
    assert response.status == 404
    assert page.request.get("/meetings/hmp-perth-smart.ics").status == 404


def test_ticking_a_day_updates_results_in_place(page):
    """htmx: ticking Saturday swaps #results without reloading the page and pushes the new URL."""
    page.goto("/meetings?near=Perth&radius=25")
    before = result_titles(page)
    assert len(before) > 1
    page.evaluate("window.__stillHere = 'same page'")

    with page.expect_response(lambda r: "day=sat" in r.url) as swapped:
        page.locator("input[name=day][value=sat]").check()
    assert swapped.value.request.headers.get("hx-request") == "true"
    assert swapped.value.request.headers.get("hx-current-url", "").startswith(page.url.split("?")[0])

    expect(page).to_have_url(re.compile(r"[?&]day=sat(&|$)"))
    expect(page.locator("#results .card")).not_to_have_count(len(before))
    after = result_titles(page)
    assert after and set(after) < set(before)
    assert all(t.startswith("Next: Sat") for t in page.locator("#results .card .next").all_inner_texts())
    assert page.evaluate("window.__stillHere") == "same page"  # no full navigation happened
    assert page.locator("input[name=day][value=sat]").is_checked()
    assert page.locator("h1").count() == 1 and page.locator("form.search").count() == 1  # fragment, not page

    # Back goes to the unfiltered list (historyCacheSize is 0, so htmx asks the server for the full page).
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"day=sat"))
    expect(page.locator("#results .card")).to_have_count(len(before))


def test_search_works_without_javascript(new_context):
    """With JavaScript off the same form is a plain GET that navigates to /meetings?near=…."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    page.locator("#near").fill("Perth")
    with page.expect_navigation():
        page.locator("#near").press("Enter")
    assert re.search(r"/meetings\?(.*&)?near=Perth(&|$)", page.url), page.url
    assert page.locator("h1").inner_text() == "Find a meeting"
    expect(page.locator("#results h2")).to_contain_text("of Perth")
    assert any("Perth" in t for t in result_titles(page))
    assert "HMP" not in page.locator("body").inner_text()

    # Filters work as a plain submit too.
    page.locator("input[name=day][value=sat]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find meetings").click()
    assert "day=sat" in page.url
    assert all(t.startswith("Next: Sat") for t in page.locator("#results .card .next").all_inner_texts())


def test_javascript_only_controls_stay_hidden_without_javascript(new_context):
    """Without JavaScript, 'Use my location' and 'Print this list' (both need it) are not shown."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/meetings?near=Perth")
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.locator("[data-near-me]")).to_be_hidden(timeout=2_000)


def test_keyboard_reaches_skip_link_then_search_box_with_visible_focus(page):
    """Tab from the top lands on a visible skip link; following it, the next Tab is the place box; focus is drawn."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = focus_state(page)
    assert skip["cls"] == "skip" and skip["text"] == "Skip to content"
    assert skip["onScreen"], "the skip link must appear when it has focus"
    assert skip["focusVisible"]

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    near = focus_state(page)
    assert near["id"] == "near"
    assert near["focusVisible"]
    assert (near["outlineStyle"], near["outlineWidth"], near["outlineColor"]) == ("solid", "3px", FOCUS_RING)

    # Without the skip link, the place box is the first stop after the header's links.
    page.goto("/")
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (el.classList.contains('skip')) return 'skip';
                    if (el.closest('header')) return 'header';
                    return el.id || el.outerHTML.slice(0, 60);
                }"""
            )
        )
        if stops[-1] == "near":
            break
    assert stops[-1] == "near", stops
    assert all(stop in ("skip", "header") for stop in stops[:-1]), stops


def test_day_boxes_are_named_in_full_for_screen_readers(page):
    """Each day checkbox is announced as the whole day name, though the screen shows Mon, Tue…."""
    page.goto("/")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        expect(page.get_by_role("checkbox", name=day, exact=True)).to_have_count(1, timeout=1_000)


def test_misspelt_town_without_javascript_says_so_beside_the_field_and_suggests(new_context):
    """Dundea (no JavaScript): the field says it could not find it, and the Dundee suggestion works."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/meetings?near=Dundea")
    expect(page.locator("#near-error")).to_contain_text("We could not find “Dundea”")
    near = page.locator("#near")
    expect(near).to_have_attribute("aria-invalid", "true")
    expect(near).to_have_accessible_description(re.compile("We could not find “Dundea”"))

    with page.expect_navigation():
        page.locator("#results .suggest").get_by_role("link", name="Dundee").click()
    assert re.search(r"near=Dundee(&|$)", page.url)
    expect(page.locator("#results h2")).to_contain_text("of Dundee")
    assert all("Dundee" in m for m in page.locator("#results .card .meta").all_inner_texts())


def test_misspelt_town_with_javascript_suggests_a_working_link(page):
    """Dundea typed on the front page: htmx shows a Dundee suggestion whose link leads to Dundee meetings."""
    search_from_home(page, "Dundea")
    suggestion = page.locator("#results .suggest").get_by_role("link", name="Dundee")
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_url(re.compile(r"near=Dundee(&|$)"))
    expect(page.locator("#results h2")).to_contain_text("of Dundee")
    assert all("Dundee" in m for m in page.locator("#results .card .meta").all_inner_texts())


def test_misspelt_town_with_javascript_says_so_beside_the_field(page):
    """Dundea typed on the front page with JavaScript on: the error appears next to the place box too."""
    search_from_home(page, "Dundea")
    expect(page.locator("#results .suggest")).to_be_visible()
    expect(page.locator("#near-error")).to_contain_text("We could not find “Dundea”", timeout=2_000)
    expect(page.locator("#near")).to_have_accessible_description(re.compile("We could not find “Dundea”"))
    # Correcting it clears the message again.
    page.locator("#near").fill("Dundee")
    page.locator("#near").press("Enter")
    expect(page.locator("#results h2")).to_contain_text("of Dundee")
    expect(page.locator("#near-error")).to_have_count(0)


def test_every_request_stays_on_this_site(page, new_context, live_server, requests_seen):
    """Search, filter, read, subscribe, misspell, and with JavaScript off: no request leaves 127.0.0.1."""
    search_from_home(page, "Perth")
    expect(page.locator("#results h2")).to_contain_text("of Perth")
    page.locator("input[name=day][value=tue]").check()
    expect(page).to_have_url(re.compile(r"day=tue"))
    page.locator("#results .card h3 a").first.click()
    page.wait_for_url(re.compile(r"/meetings/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", name="Next dates")).to_be_visible()
    page.goto("/meetings?near=Dundea")
    page.goto("/meetings?mode=online")
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto("/meetings?near=Glasgow&radius=25")

    assert any(url.endswith(".js") for url in requests_seen), "htmx and app.js are served from this site"
    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside
    assert all(url.startswith(live_server) for url in requests_seen if host_of(url))


def test_phone_screenshots(new_context, tmp_path):
    """Phone-sized pictures of the results and a meeting (to docs/ when SCREENSHOT_DIR=docs, else a temp dir)."""
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = new_context(device_scale_factor=2, is_mobile=True, has_touch=True).new_page()

    page.goto("/meetings?near=Perth")
    expect(page.locator("#results .card").first).to_be_visible()
    page.screenshot(path=out / "screenshot-search.png", full_page=True)

    page.locator("#results .card h3 a").first.click()
    page.wait_for_url(re.compile(r"/meetings/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", name="Next dates")).to_be_visible()
    page.screenshot(path=out / "screenshot-meeting.png", full_page=True)

    for name in ("screenshot-search.png", "screenshot-meeting.png"):
        assert (out / name).stat().st_size > 10_000
