"""Stored models stay put and stay usable: import from a file, pause and resume, delete,
offline loading, app updates, and the upgrade to a bigger model while chatting goes on."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, save_settings, send, wait_final
from tests.browser.conftest import Journey, Site, wait_ready
from tests.browser.downloading import (
    DOWNLOAD_TIMEOUT_MS,
    REAL,
    TINY,
    card,
    download,
    installed_with_tiny,
    stored_folders,
    wait_progress,
    wait_stored,
)
from tests.browser.modelserver import ModelServer
from tests.browser.waiting import wait_until

PICKER = "Import from a file on this device"
ENGLISH = {"the", "of", "a", "is", "and", "in", "capital", "france", "paris", "city", "country", "it"}


def import_file(page: Page, name: str, data: bytes) -> None:
    page.get_by_label(PICKER).set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )


def chat_once(page: Page, text: str = "Hello") -> str:
    """Go to Chat, wait for the engine, ask once; return the answer's final status."""
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    return wait_final(send(page, text))


def model_bytes(page: Page) -> int:
    """Bytes the origin keeps in its file system (OPFS), as the browser's quota manager counts."""
    session = page.context.new_cdp_session(page)
    found = session.send("Storage.getUsageAndQuota", {"origin": page.evaluate("location.origin")})
    return sum(u["usage"] for u in found["usageBreakdown"] if u["storageType"] == "file_systems")


def test_import_rejects_bad_files_and_accepts_a_model(
    app: Page, files: dict[str, Path], journey: Journey
) -> None:
    """A field worker picks files from a USB stick with no network: wrong ones are refused
    clearly, nothing is kept, and the real model then imports and answers."""
    tiny = files["tiny.task"].read_bytes()
    notice = app.locator("#models-notice")
    for name, data, complaint in (
        ("tiny.task", tiny[:200_000], "incomplete"),
        ("notes.txt", b"Shopping list\n" * 500, "not a model file"),
        ("random.task", os.urandom(100_000), "not a model file"),
    ):
        import_file(app, name, data)
        expect(notice.get_by_role("alert")).to_contain_text(complaint)
        assert stored_folders(app) == {}, name
    import_file(app, "tiny.task", tiny)
    found = card(app, "tiny.task")
    wait_stored(found)
    expect(notice).to_be_empty()
    assert chat_once(app) == "done"
    # An imported file has no catalogue record, so the first load learns the model's token limit
    # from MediaPipe's refusal ("… 1024 > 256"), which MediaPipe also logs.
    assert journey.allow("litert_resource_calculator") == 1


def test_pause_resume_and_delete(app: Page, model_server: ModelServer) -> None:
    """Pause on a metered connection, resume later from the same byte, delete to free space."""
    model_server.throttle(60_000)
    found = download(app, TINY)
    wait_progress(app)
    found.get_by_role("button", name="Pause").click()
    expect(found.get_by_role("status")).to_contain_text("Paused")
    model_server.throttle(None)
    found.get_by_role("button", name="Resume").click()
    wait_stored(found)
    starts = model_server.range_starts("tiny.task")
    assert len(starts) == 2 and starts[1] > 0, starts
    before = model_bytes(app)
    found.get_by_role("button", name="Delete").click()
    expect(found.get_by_role("button", name="Download (453 KB)")).to_be_visible()
    assert "tiny-download" not in stored_folders(app)
    assert model_bytes(app) <= before - 400_000
    expect(app.get_by_role("status", name="Engine")).to_have_text("No model")  # it was in use


def test_stored_model_loads_and_answers_with_every_server_gone(
    tmp_path: Path, files: dict[str, Path], serve: Callable[..., Site], journey: Journey
) -> None:
    """Weeks later, with no network at all, the stored model still loads and answers."""
    page = journey.page
    server, site = installed_with_tiny(tmp_path, files, serve, page)
    server.stop()
    site.stop()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-tabula", "ready", timeout=120_000)
    expect(card(page, TINY).locator(".stored")).to_have_text("On this device · works offline")
    assert chat_once(page) == "done"


# The adapter as a hardware GPU would name itself (this machine's is SwiftShader, a software one).
HARDWARE_GPU = """for (const [name, value] of [["vendor", "acme"], ["architecture", "test-gpu"],
    ["description", "a test GPU"], ["isFallbackAdapter", false]]) {
  Object.defineProperty(GPUAdapterInfo.prototype, name, { get: () => value });
}"""


def test_upgrade_to_a_bigger_model_while_chatting(app: Page, model_server: ModelServer) -> None:
    """A student starts on the small model; the app offers the bigger one that fits, downloads
    it in the background while she keeps chatting, checks it, and switches to it. On a software
    renderer (this machine's SwiftShader) the bigger one would answer at about a word a second:
    it is not offered there. The bigger one is the real Gemma 3 270M (base) in real MediaPipe on
    WebGPU: at temperature 0 it continues a sentence in English, not noise."""
    save_settings(app, temperature="0", top_k="1", system_prompt="")  # a base model: no system turn
    app.get_by_role("link", name="Models", exact=True).click()
    wait_stored(download(app, TINY))
    expect(app.locator(".advice")).to_contain_text("words a second")
    expect(app.locator(".upgrade")).to_have_count(0)
    app.context.add_init_script(HARDWARE_GPU)
    app.reload()
    wait_ready(app)
    offer = app.locator(".upgrade")
    expect(offer).to_contain_text(REAL)
    model_server.throttle(40_000_000)  # ~7 s for the 284 MB model: time to chat meanwhile
    offer.get_by_role("button", name="Download and switch").click()
    expect(card(app, REAL).get_by_role("status")).to_contain_text("of 285 MB")
    app.get_by_role("link", name="Chat", exact=True).click()
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    answer = send(app, "Hello")
    assert wait_final(answer) == "done"
    expect(answer.locator(".meta")).to_contain_text(TINY)
    expect(app.locator(".chat-head .hint")).to_have_text(REAL, timeout=DOWNLOAD_TIMEOUT_MS)
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    second = send(app, "The capital of France is")
    six_words = "([...document.querySelectorAll('.msg.model .text')].at(-1)?.textContent.match(/[A-Za-z']+/g) ?? []).length >= 6"
    wait_until(app, six_words, timeout=ENGINE_TIMEOUT_MS)
    words = re.findall(r"[A-Za-z']+", second.locator(".text").inner_text().lower())[:6]
    assert len(words) == 6 and len(ENGLISH.intersection(words)) >= 2, words
    app.locator("form.composer").get_by_role("button", name="Stop").click()  # the 270M model is slow on a CPU-emulated GPU
    assert wait_final(second) == "stopped"
    expect(second.locator(".meta")).to_contain_text(REAL)
    assert model_server.range_starts("real.task") == [0]


def test_add_a_model_by_its_address(app: Page, model_server: ModelServer, journey: Journey) -> None:
    """A teacher pastes the address of a model on the school's server: a bad address is refused
    with a reason; a good one downloads, is checked and pinned, and is listed on reload."""
    form = app.locator("form.add-model")
    form.get_by_label("Address of a .task or .gguf file").fill("ftp://example.org/model.task")
    form.get_by_role("button", name="Add").click()
    expect(app.locator("#models-notice")).to_contain_text("https://")
    form.get_by_label("Address of a .task or .gguf file").fill(model_server.url("tiny.task"))
    form.get_by_label("Name (optional)").fill("School copy")
    form.get_by_role("button", name="Add").click()
    found = card(app, "School copy")
    wait_stored(found)
    expect(app.locator("#models-notice")).to_be_empty()
    expect(found).to_contain_text("453 KB")  # pinned: the real size, learned from the download
    app.reload()
    wait_ready(app)
    expect(card(app, "School copy").locator(".stored")).to_have_text("On this device · works offline")
    # No catalogue record gives its token limit: the first load learns it from MediaPipe's refusal.
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert journey.allow("litert_resource_calculator") >= 1
