"""The Transformers.js engine (issue #25) on WebGPU, with the real library on the tiny
Gemma-4-shaped set embedded in the site. The set loads on WebGPU and answers; when its GPU device
is lost (a tablet's GPU reset) the person reads why, Restart brings the engine back, and the chat
is intact.

The app runs Transformers.js on WebGPU only where the GPU is real (on a software adapter, wasm is
faster: engine/backend.py). Headless Chromium here has SwiftShader, so the page is told it has a
real GPU: the adapter's name, as the page reads it, is that of a tablet GPU. Everything else is
SwiftShader's (no shader-f16, so q4 or fp32, never q4f16), and the engine's worker, where ONNX
Runtime makes its device, sees the adapter as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import build
from tests.browser.chatting import ENGINE_TIMEOUT_MS, send, wait_final
from tests.browser.conftest import open_app
from tests.browser.engines import in_engine
from tests.models.gemma4 import build as tiny_gemma4

SCRIPT = "/js/engine_transformers.js"
A_TABLET_GPU = """Object.defineProperty(GPUAdapter.prototype, 'info', { get: () => ({
  vendor: 'qualcomm', architecture: 'adreno-7xx', description: 'Adreno (TM) 730', isFallbackAdapter: false }) });"""
LOSE_DEVICE = "() => self.tabulaEngine.device().destroy()"  # ONNX Runtime's device, in the engine's worker


@pytest.fixture(scope="module")
def webgpu_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny set embedded (the site's own copy): 96 tokens keep SwiftShader's answers short."""
    folder = tmp_path_factory.mktemp("tjs-webgpu")
    (folder / "tiny-gemma4").symlink_to(tiny_gemma4.build(), target_is_directory=True)
    (folder / "tiny-gemma4.json").write_text(
        json.dumps({"label": "Tiny Gemma 4", "family": "gemma4", "max_tokens": 96})
    )
    return build.build(folder / "_site", models=[folder / "tiny-gemma4"])


def test_on_webgpu_the_set_answers_and_a_lost_device_is_told_and_restart_recovers(
    webgpu_site: Path, serve, journey
) -> None:
    page = journey.page
    page.add_init_script(A_TABLET_GPU)
    open_app(page, serve(webgpu_site).url + "#/chat")
    status = page.get_by_role("status", name="Engine")
    expect(status).to_have_text(re.compile("^(Ready|Engine error)$"), timeout=ENGINE_TIMEOUT_MS)
    assert status.inner_text() == "Ready", page.inner_text("#view")
    loaded = in_engine(page, "() => self.tabulaEngine.loaded()", SCRIPT)
    assert loaded["device"] == "webgpu" and loaded["dtype"] in ("q4", "fp32"), loaded  # no shader-f16 here
    first = send(page, "Before the reset")
    assert (
        wait_final(first, timeout=ENGINE_TIMEOUT_MS) == "done" and first.locator(".text").inner_text().strip()
    )
    in_engine(page, LOSE_DEVICE, SCRIPT)
    expect(status).to_have_text("Engine error")
    expect(page.locator("#view")).to_contain_text("graphics device was lost")
    page.get_by_role("button", name="Restart engine").click()
    expect(status).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    second = send(page, "After the reset")
    assert wait_final(second, timeout=ENGINE_TIMEOUT_MS) == "done"
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("Before the reset")
    # WebGPU reports the destroyed device on the console; nothing else may appear there.
    unexpected = [
        e for e in journey.errors if not any(w in e.lower() for w in ("destroyed", "lost", "mapasync"))
    ]
    journey.errors.clear()
    assert unexpected == [] and journey.foreign_requests() == []
