"""Offline-first: after one visit the app boots with no network, at / and under a sub-path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import (
    Journey,
    Site,
    first_page,
    open_app,
    record,
    wait_offline_ready,
    wait_ready,
)


def test_reload_with_the_network_off(site: Site, journey: Journey) -> None:
    """A field worker opens the app once, loses signal, and reloads: it still starts."""
    page = journey.page
    open_app(page, site.url)
    wait_offline_ready(page)
    page.context.set_offline(True)
    page.reload()
    wait_ready(page)
    expect(page.locator("#net")).to_have_text("Offline")
    page.context.set_offline(False)
    expect(page.locator("#net")).to_have_text("Online")


def test_reload_after_the_server_is_gone(site: Site, journey: Journey) -> None:
    """The site's host disappears entirely; the installed app keeps starting."""
    page = journey.page
    open_app(page, site.url + "#/models")
    wait_offline_ready(page)
    site.stop()
    page.reload()
    wait_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Models")


def test_browser_restart_offline_on_the_same_profile(
    persistent: Callable[..., BrowserContext],
    built_site: Path,
    serve: Callable[..., Site],
    tmp_path: Path,
) -> None:
    """The tablet is switched off and on again with no network: the app still opens."""
    site = serve(built_site)
    url, profile = site.url, tmp_path / "profile"
    first = persistent(profile)
    page = first_page(first)
    open_app(page, url)
    wait_offline_ready(page)
    first.close()
    site.stop()
    second = persistent(profile, offline=True)
    page = first_page(second)
    journey = record(page, second)
    open_app(page, url + "#/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.locator("#net")).to_have_text("Offline")
    assert journey.errors == []


def test_sub_path_hosting(built_site: Path, serve: Callable[..., Site], browser: Browser) -> None:
    """The same build served at /tabula/ (a GitHub Pages project site) works, offline too."""
    site = serve(built_site, "/tabula/")
    context = browser.new_context()
    try:
        page = context.new_page()
        journey = record(page, context)
        open_app(page, site.url + "#/about")
        wait_offline_ready(page)
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        assert scope == site.url
        site.stop()
        page.reload()
        wait_ready(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("About Tabula")
        assert journey.errors == [] and journey.foreign_requests() == []
        assert all("/tabula/" in url for url in journey.requests if url.startswith("http"))
    finally:
        context.close()


def test_installable(persistent: Callable[..., BrowserContext], site: Site, tmp_path: Path) -> None:
    """Chromium's own installability check finds nothing wrong (so tablets offer Install)."""
    context = persistent(tmp_path / "profile")
    page = first_page(context)
    journey = record(page, context)
    open_app(page, site.url)
    wait_offline_ready(page)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    assert cdp.send("Page.getAppManifest")["errors"] == []
    assert journey.errors == []
