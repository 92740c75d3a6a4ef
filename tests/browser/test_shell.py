"""The app shell in real Chromium with real PyScript/Pyodide: boot, routes, failure."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Journey, Site, open_app, record
from tests.browser.waiting import wait_until


def test_boot_reaches_ready_with_header_and_nothing_off_origin(site: Site, journey: Journey) -> None:
    """A first-time visitor sees the app come up, with no console error and no foreign request."""
    page = journey.page
    open_app(page, site.url)
    expect(page.get_by_role("status", name="Engine")).to_be_visible()
    for name in ("Chat", "Models", "Settings"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("#net")).to_have_text("Online")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    assert page.title() == "Chat · Tabula"


def test_shell_paints_before_python_is_ready(site: Site, journey: Journey) -> None:
    """On a slow tablet the header and boot line show at once, long before Python is up."""
    page = journey.page
    page.goto(site.url, wait_until="domcontentloaded")
    assert page.evaluate("document.documentElement.dataset.tabula") == "booting"
    expect(page.locator("#boot")).to_contain_text("Starting Tabula")
    open_app(page, site.url)
    paint, ready = page.evaluate(
        """() => [performance.getEntriesByName('first-contentful-paint')[0].startTime,
                  performance.getEntriesByName('tabula:python-ready')[0].startTime]"""
    )
    assert paint < ready


def test_routes_navigate_back_forward_and_deep_link(site: Site, journey: Journey) -> None:
    """A user moves between pages with links and the browser's back/forward buttons."""
    page = journey.page
    open_app(page, site.url)
    page.get_by_role("link", name="Models", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Models")
    expect(page.get_by_role("link", name="Models", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Models")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text("Models")
    assert page.title() == "Models · Tabula"


def test_deep_link_opens_that_page(site: Site, journey: Journey) -> None:
    """A bookmarked #/about link opens About directly."""
    open_app(journey.page, site.url + "#/about")
    expect(journey.page.get_by_role("heading", level=1)).to_have_text("About Tabula")
    expect(journey.page.locator("#view")).to_contain_text("314.0.7")


def test_unknown_route_offers_the_way_home(site: Site, journey: Journey) -> None:
    """A mistyped link shows 'not found' with a link back, never a blank page."""
    page = journey.page
    open_app(page, site.url + "#/no/such/page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Go to chat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    assert page.url.endswith("#/chat")


@pytest.mark.parametrize("late", [0, 3], ids=["at-once", "late"])
def test_a_broken_runtime_shows_a_readable_error(site: Site, context, late: int) -> None:
    """If Python cannot start (a file failed to load), the user reads why instead of a blank page.
    `late`: the runtime's download fails after Pyodide has begun to instantiate it, which Pyodide
    only warns about and never settles (CI's run waited 120 s on "Starting Tabula…")."""
    page = context.new_page()
    journey = record(page, context)
    said: list[str] = []
    page.on("console", lambda message: said.append(f"{message.type}: {message.text[:300]}"))
    aborted: list[str] = []
    # On the context, not the page: the service worker precaches the same file and, once it has
    # claimed the page, serves it; a page route does not see the worker's fetch.
    def fail(route) -> None:
        aborted.append(route.request.url)
        time.sleep(late)  # the page's fetch stays open meanwhile
        route.abort()

    context.route(re.compile(r".*pyodide\.asm\.wasm$"), fail)
    page.goto(site.url)
    try:
        wait_until(page, "document.documentElement.dataset.tabula === 'error'", timeout=120_000)
    except TimeoutError:
        state = page.evaluate("[document.documentElement.dataset.tabula, document.body.innerText.slice(0, 500)]")
        raise AssertionError((state, aborted, said[-30:])) from None
    expect(page.get_by_role("alert")).to_contain_text("Tabula could not start")
    assert journey.foreign_requests() == []
