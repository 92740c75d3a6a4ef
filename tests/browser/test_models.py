"""The Models page measures this device and explains which model suits it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Journey, open_app


def test_models_page_shows_the_device_and_a_recommendation(tiny_site: Path, serve, journey: Journey) -> None:
    """A user on a dual-GPU laptop can see which adapter the browser picked and what fits."""
    page = journey.page
    open_app(page, serve(tiny_site).url + "#/models")
    facts = page.locator("#device")
    expect(facts).to_contain_text("GPU adapter")
    expect(facts).to_contain_text("no (32-bit mode)")  # SwiftShader has no shader-f16
    expect(facts).to_contain_text("Largest GPU buffer")
    card = page.locator(".model-card").filter(has_text="Tiny test model")
    expect(card.locator(".recommended")).to_have_text("Recommended")
    expect(card.locator(".verdict")).to_contain_text("Fits in memory")
    expect(page.locator(".advice")).to_contain_text("Tiny test model")
