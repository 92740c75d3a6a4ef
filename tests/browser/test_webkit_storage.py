"""WebKit's storage, shown in Chromium (issue #23): every iPad browser is WebKit, whose OPFS file
handles have no createWritable (chunks are written through createSyncAccessHandle in a worker,
pwa/js/opfs_writer.js), and some WebKit views have no Storage API at all or a private session
whose getDirectory() rejects. Chromium is made to look like each with an init script on the page
(the writer worker keeps its sync access handles, as in WebKit). The real WebKit journey is
tests/browser/test_webkit.py. Last, the viewport key WebKit does not know stays in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, send, wait_final
from tests.browser.conftest import Journey, Site, open_app
from tests.browser.downloading import (
    CHUNK,
    TINY,
    card,
    download,
    limit_quota,
    stored_folders,
    wait_progress,
    wait_stored,
)
from tests.browser.modelserver import ModelServer
from tests.browser.test_model_storage import PICKER

NO_WRITABLE = "delete FileSystemFileHandle.prototype.createWritable;"
NO_STORAGE_API = "delete StorageManager.prototype.getDirectory;"
TRANSIENT = """StorageManager.prototype.getDirectory = () => Promise.reject(
  new DOMException('The operation failed for an unknown transient reason (e.g. out of memory).', 'UnknownError'));"""
CANNOT_KEEP = "This browser cannot keep models on this device"


def open_like_webkit(journey: Journey, site: Site, script: str) -> Page:
    page = journey.page
    page.context.add_init_script(script)
    open_app(page, site.url + "#/models")
    return page


def chunk_names(size: int) -> list[str]:
    return [f"c{i:06d}" for i in range(-(-size // CHUNK))]


def test_models_are_kept_without_create_writable(
    download_site: Path, serve: Callable[..., Site], journey: Journey, model_server: ModelServer,
    files: dict[str, Path],
) -> None:  # fmt: skip
    """An iPad: room is checked before a byte comes; storage filling up mid-download pauses it
    with the whole chunks kept (the quota error of a sync access handle, in the worker, reads as
    in Chromium), Resume continues from them, the model verifies and answers; a file imports;
    nothing half-written is left beside the chunks."""
    page = open_like_webkit(journey, serve(download_site), NO_WRITABLE)
    assert page.evaluate("!('createWritable' in FileSystemFileHandle.prototype)")
    expect(page.locator("#device")).to_contain_text("sync access handles")
    limit_quota(page, 200_000)
    found = download(page, TINY)
    expect(found.get_by_role("alert")).to_contain_text("Not enough storage")
    limit_quota(page, None)
    model_server.throttle(60_000)
    found.get_by_role("button", name="Try again").click()
    wait_progress(page)
    limit_quota(page, 1_000)
    expect(found).to_contain_text("Storage is full. Free", timeout=60_000)
    kept = [name for name in stored_folders(page)["tiny-download"] if name.startswith("c")]
    assert kept and not [name for name in kept if name.endswith(".part")], kept
    limit_quota(page, None)
    model_server.throttle(None)
    found.get_by_role("button", name="Resume").click()
    wait_stored(found)
    starts = model_server.range_starts("tiny.task")
    assert starts[0] == 0 and starts[-1] >= len(kept) * CHUNK - CHUNK, starts  # resumed, not restarted
    size = files["tiny.task"].stat().st_size
    assert sorted(stored_folders(page)["tiny-download"]) == [*chunk_names(size), "ready.json", "sha256.state"]
    page.get_by_label(PICKER).set_input_files(files["tiny.task"])
    wait_stored(card(page, "tiny.task"))
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(page, "Hello")) == "done"


@pytest.mark.parametrize("script", [NO_STORAGE_API, TRANSIENT], ids=["no-storage-api", "transient"])
def test_a_browser_that_cannot_keep_models_says_so(
    download_site: Path, serve: Callable[..., Site], journey: Journey, files: dict[str, Path], script: str
) -> None:
    """A web view with no Storage API, or a private session: the Models page reports the device
    and says in one sentence that models cannot be kept and what still works; Download and
    Import say it too; no raw error anywhere."""
    page = open_like_webkit(journey, serve(download_site), script)
    expect(page.locator("#device")).to_contain_text("CPU cores")
    expect(page.locator("#catalogue")).to_contain_text(CANNOT_KEEP)
    expect(page.locator("#catalogue")).to_contain_text("The cloud engine still works")
    expect(page.locator("#device")).to_contain_text("none")
    found = download(page, TINY)
    expect(found.get_by_role("alert")).to_contain_text(CANNOT_KEEP)
    page.get_by_label(PICKER).set_input_files(files["tiny.task"])
    expect(page.locator("#models-notice").get_by_role("alert")).to_contain_text(CANNOT_KEEP)
    expect(page.get_by_text("Something went wrong")).to_have_count(0)


def test_chromium_keeps_the_keyboard_resizing_the_page(site: Site, journey: Journey) -> None:
    """The viewport key WebKit does not know is still set in Chromium (by js/theme.js)."""
    open_app(journey.page, site.url)
    content = journey.page.locator('meta[name="viewport"]').get_attribute("content")
    assert content.endswith("viewport-fit=cover, interactive-widget=resizes-content"), content


def test_cancel_mid_download_without_create_writable_keeps_nothing(
    download_site: Path, serve: Callable[..., Site], journey: Journey, model_server: ModelServer
) -> None:
    """Cancel while a chunk is open in the writer worker (a sync access handle locks its file):
    the folder goes, with no error."""
    page = open_like_webkit(journey, serve(download_site), NO_WRITABLE)
    model_server.throttle(60_000)
    found = download(page, TINY)
    wait_progress(page)
    found.get_by_role("button", name="Cancel download").click()
    expect(found.get_by_role("button", name="Download (453 KB)")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert "tiny-download" not in stored_folders(page)
