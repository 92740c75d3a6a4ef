"""A model made of several files is loaded by its engine from ./models/<id>/, which only the
service worker serves (from this device's OPFS copy). In a tab with no service worker (blocked
here, as some private windows and web views do) the stored set is not called damaged: the person
reads why it cannot load and what to do, and the set stays stored. (On a first visit, while the
service worker still installs, the engine waits for it: browser/transformers.py.)"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS
from tests.browser.conftest import open_app, record
from tests.browser.downloading import card, download, wait_stored
from tests.browser.test_transformers_engine import LABEL, onnx_site, set_server  # noqa: F401 (fixtures)


def test_a_stored_set_in_a_tab_without_a_service_worker_says_why_it_cannot_load(
    no_webgpu_browser: Browser,
    onnx_site: Path,  # noqa: F811
) -> None:
    from devserver import start_in_thread

    server = start_in_thread(onnx_site)
    context = no_webgpu_browser.new_context(service_workers="block")
    try:
        journey = record(context.new_page(), context)
        page = journey.page
        open_app(page, f"http://127.0.0.1:{server.server_port}/#/models")
        wait_stored(download(page, LABEL))
        page.get_by_role("link", name="Chat", exact=True).click()
        status = page.get_by_role("status", name="Engine")
        expect(status).to_have_text("Engine error", timeout=ENGINE_TIMEOUT_MS)
        expect(page.locator("#view")).to_contain_text(
            "This model is made of several files, which Tabula's offline helper (its service worker) hands to the engine"
        )
        expect(page.locator("#view")).not_to_contain_text("could not be read")
        page.get_by_role("link", name="Models", exact=True).click()
        wait_stored(card(page, LABEL), timeout=15_000)  # still kept: nothing called it damaged
        assert journey.foreign_requests() == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
