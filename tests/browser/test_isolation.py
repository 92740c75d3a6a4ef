"""Cross-origin isolation (issue 16): the service worker adds COOP/COEP to what it serves, so from
the first start it controls the page is crossOriginIsolated (the CPU engine's wasm threads), and
model downloads, the local engine and the cloud engine keep working in it. Also: on this machine's
WebGPU (SwiftShader, no f16) the shipped catalogue's advice is a CPU model, with its speed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, send, wait_final
from tests.browser.conftest import Site, open_app, wait_offline_ready, wait_ready
from tests.browser.downloading import TINY, download, wait_stored
from tests.browser.modelserver import ModelServer
from tests.browser.test_cloud import add_key, cloud, cloud_site, gemini, route  # noqa: F401 (fixtures)


def isolated_start(page: Page, url: str) -> None:
    """First visit (not isolated: no service worker served it), then the next start."""
    open_app(page, url)
    assert page.evaluate("crossOriginIsolated") is False
    page.evaluate("window.firstVisit = true")
    wait_offline_ready(page)
    assert page.evaluate("window.firstVisit") is True  # control arrived: nothing reloaded the page
    page.reload()
    wait_ready(page)
    assert page.evaluate("crossOriginIsolated") is True
    assert page.evaluate("typeof SharedArrayBuffer") == "function"


def test_isolated_page_downloads_from_another_origin_and_answers(
    download_site: Path, serve, journey, model_server: ModelServer
) -> None:
    page = journey.page
    isolated_start(page, serve(download_site).url + "#/models")
    expect(page.locator("#device")).to_contain_text("cross-origin isolated")
    wait_stored(download(page, TINY))  # a CORS download from the model server's origin
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(page, "Hello")) == "done"


def test_isolated_page_still_reaches_the_cloud(cloud_site: Path, serve, journey, cloud) -> None:  # noqa: F811
    page = journey.page
    isolated_start(page, serve(cloud_site).url + "#/settings")
    cloud.reply(["Still", " here."])
    add_key(page)
    expect(route(page)).to_have_text("Cloud · gemma-4-26b-a4b-it")
    page.get_by_role("link", name="Chat", exact=True).click()
    answer = send(page, "Hi")
    assert wait_final(answer) == "done"
    expect(answer.locator(".text")).to_have_text("Still here.")


def test_this_machine_is_advised_a_cpu_model_with_its_speed(site: Site, journey) -> None:
    """The shipped catalogue on headless Chromium's SwiftShader (a software adapter, no f16)."""
    page = journey.page
    open_app(page, site.url + "#/models")
    advice = page.locator(".advice")
    expect(advice).to_contain_text("software renderer")
    expect(advice).to_contain_text("Gemma 3 270M (CPU)")
    expect(advice).to_contain_text("words a second")
    expect(page.locator("#device")).to_contain_text("a software renderer")
    expect(page.locator(".upgrade")).to_have_count(0)  # nothing in use: no Download and switch
