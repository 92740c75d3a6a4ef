"""Faults in the field: the GPU device is lost, or the engine hangs, mid-answer; the app says so,
keeps the chat and recovers."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.chatting import open_chat, send, wait_final
from tests.browser.conftest import record
from tests.browser.engines import gpu_devices_alive, in_engine

# The next answer hangs after three pieces of text: MediaPipe goes on in the background but the
# app hears nothing more and the promise never settles, as when a GPU hangs. Only that answer.
# Evaluated in the engine's worker (tests/browser/engines.py in_engine).
HANG_NEXT_ANSWER = """() => {
  const proto = self.GenAI.LlmInference.prototype, real = proto.generateResponse;
  proto.generateResponse = function (prompt, listener) {
    proto.generateResponse = real;
    let pieces = 0;
    real.call(this, prompt, (partial) => { if (pieces++ < 3) listener(partial, false); }).catch(() => {});
    return new Promise(() => {});
  };
}"""
LOSE_DEVICE = "() => self.tabulaEngine.device().destroy()"  # in the engine's worker


def test_gpu_device_lost_mid_answer_keeps_the_chat_and_recovers(tiny_site: Path, serve, context) -> None:
    """A tablet's GPU resets during an answer: the user reads why, restarts, and the chat is intact."""
    page = context.new_page()
    journey = record(page, context)
    open_chat(page, serve(tiny_site).url)
    first = send(page, "Before the reset")
    assert wait_final(first) == "done"
    second = send(page, "During the reset")
    expect(second).to_have_attribute("data-status", "streaming", timeout=60_000)
    in_engine(page, LOSE_DEVICE)
    assert wait_final(second, timeout=60_000) == "failed"
    expect(second.get_by_role("alert")).to_contain_text("graphics device was lost")
    expect(page.get_by_role("status", name="Engine")).to_have_text("Engine error")
    page.get_by_role("button", name="Restart engine").click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=120_000)
    third = send(page, "After the reset")
    assert wait_final(third) == "done"
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("Before the reset")
    assert first.locator(".text").inner_text().strip()
    # WebGPU and MediaPipe report the destroyed device on the console (a destroyed device,
    # a pending buffer mapping cut short); nothing else may appear there.
    expected = ("destroyed", "lost", "mapasync")
    unexpected = [e for e in journey.errors if not any(word in e.lower() for word in expected)]
    assert unexpected == [] and journey.foreign_requests() == []


def test_an_engine_hung_mid_answer_is_replaced_and_the_chat_kept(tiny_site: Path, serve, journey) -> None:
    """No text for 30 s in the middle of an answer: the app gives up on that engine, says so,
    keeps what arrived and answers the next message with a fresh engine, with nothing lost. The
    hung engine's GPU device is destroyed: one device holds the model, never two."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    assert wait_final(send(page, "Before the hang")) == "done"
    in_engine(page, HANG_NEXT_ANSWER)
    hung = send(page, "During the hang")
    expect(hung).to_have_attribute("data-status", "streaming", timeout=60_000)
    assert wait_final(hung, timeout=90_000) == "failed"
    expect(hung.get_by_role("alert")).to_contain_text("stopped responding")
    kept = hung.locator(".text").inner_text()
    assert kept.strip(), "the text that arrived before the hang is kept"
    after = send(page, "After the hang")
    assert wait_final(after) == "done" and after.locator(".text").inner_text().strip()
    assert gpu_devices_alive(page) == 1
    # The hung engine's work ends in errors about its destroyed device; nothing else may appear.
    expected = ("destroyed", "lost", "mapasync", "invalid")
    assert [e for e in journey.errors if not any(word in e.lower() for word in expected)] == []
    page.reload()
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("After the hang", timeout=60_000)
    log = page.get_by_role("log", name="Conversation").inner_text()
    assert "Before the hang" in log and "During the hang" in log and kept.strip()[:20] in log
