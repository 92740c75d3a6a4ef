"""Language and theme in real Chromium: Spanish for a Spanish browser, dark for a dark system,
and the choices made in Settings applied at once and kept across reloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Journey, Site, open_app, record, wait_ready


@pytest.fixture
def journey_in(browser: Browser) -> Iterator[Callable[..., Journey]]:
    """journey_in(**context options): a recorded page in a browser set up that way."""
    opened: list[tuple[object, Journey]] = []

    def start(**options: object) -> Journey:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, **options)
        opened.append((context, record(context.new_page(), context)))
        return opened[-1][1]

    yield start
    for context, journey in opened:
        context.close()
        assert journey.errors == [], "console errors"
        assert journey.foreign_requests() == [], "requests left 127.0.0.1"


def background_luminance(page: Page) -> float:
    """The relative luminance (0 black .. 1 white) of the page's background now."""
    return page.evaluate(
        """() => {
          const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
          const lin = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        }"""
    )


def reload(page: Page, url: str) -> None:
    """Load `url` afresh (a new Python, state read back from the device) and wait for the app."""
    page.goto(url)
    page.reload()
    wait_ready(page)


def apply_appearance(page: Page, button: str, language: str | None = None, theme: str | None = None) -> None:
    if language is not None:
        page.locator("#lang").select_option(language)
    if theme is not None:
        page.locator(f'input[name="theme"][value="{theme}"]').check()
    page.get_by_role("button", name=button, exact=True).click()


def test_spanish_browser_gets_spanish_until_english_is_chosen(site: Site, journey_in) -> None:
    """A teacher in Spain sees Tabula in Spanish, and a visitor who prefers English switches it for good."""
    page = journey_in(locale="es-ES").page
    open_app(page, site.url + "#/settings")
    expect(page.get_by_role("link", name="Ajustes", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajustes")
    expect(page.get_by_role("heading", name="Apariencia e idioma")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.title() == "Ajustes · Tabula"

    apply_appearance(page, "Aplicar", language="en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="About Tabula")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang")).to_have_value("en")

    reload(page, site.url + "#/study")
    expect(page.get_by_role("heading", level=1)).to_have_text("Study")
    expect(page.get_by_role("link", name="Models", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_theme_follows_the_system_until_one_is_forced(site: Site, journey_in) -> None:
    """A student with a dark system gets a dark Tabula, and can force light or dark for good."""
    page = journey_in(color_scheme="dark").page
    open_app(page, site.url + "#/settings")
    assert background_luminance(page) < 0.05
    expect(page.locator("html")).not_to_have_attribute("data-theme", "light")

    apply_appearance(page, "Apply", theme="light")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background_luminance(page) > 0.8
    page.reload(wait_until="domcontentloaded")
    assert page.evaluate("document.documentElement.dataset.theme") == "light", "light before Python starts"
    wait_ready(page)
    assert background_luminance(page) > 0.8
    expect(page.locator('input[name="theme"][value="light"]')).to_be_checked()

    page.emulate_media(color_scheme="light")
    apply_appearance(page, "Apply", theme="dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background_luminance(page) < 0.05
    reload(page, site.url + "#/settings")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background_luminance(page) < 0.05

    apply_appearance(page, "Apply", theme="system")
    expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    assert background_luminance(page) > 0.8
