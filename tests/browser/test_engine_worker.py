"""The engine in its own worker (issue #22): the page thread holds no LlmInference, Stop then
Send answers on the same engine with no reload, a failed load leaves no GPU device, and *Use
Tabula here* in another window ends this window's worker at once, mid-answer, keeping the text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from playwright.sync_api import Page, expect

import build
from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, send, wait_final
from tests.browser.conftest import catalog_file, project_path, record
from tests.browser.engines import gpu_devices_alive, in_engine, no_engine_worker
from tests.browser.test_windows import two_windows
from tests.browser.waiting import wait_until

# The engine status as the person saw it, every change (to prove no reload happened).
STATUSES = """() => {
  const node = document.getElementById('engine');
  window.__statuses = [node.textContent];
  new MutationObserver(() => window.__statuses.push(node.textContent))
    .observe(node, {subtree: true, childList: true, characterData: true});
}"""
# In the engine's worker: the next answer, once MediaPipe has written it, goes on writing for
# 35 s more, as a slow tablet finishing a long answer after Stop does (0.10.29 ignores
# cancelProcessing for .task models). 35 s is past the watchdog's 30 s mid-answer limit.
SLOW_TAIL = """() => {
  const proto = self.GenAI.LlmInference.prototype, real = proto.generateResponse;
  self.__tail = 0;
  proto.generateResponse = async function (prompt, listener) {
    proto.generateResponse = real;
    const text = await real.call(this, prompt, listener);
    for (let i = 0; i < 70; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      self.__tail += 1;
      listener(' more', false);
    }
    return text;
  };
}"""
# In the engine's worker: when each "tokens" message was posted (the batcher's cadence).
TIME_BATCHES = """() => {
  const post = self.postMessage;
  self.__batches = [];
  self.postMessage = (message) => {
    if (message.type === 'tokens') self.__batches.push(performance.now());
    post(message);
  };
}"""
# Every message any engine worker sends the page, kept (the failed loads' device counts).
SPY_WORKERS = """(() => {
  const Real = window.Worker;
  window.__engineReplies = [];
  window.Worker = function (url, options) {
    const worker = new Real(url, options);
    worker.addEventListener('message', (event) => window.__engineReplies.push(event.data));
    return worker;
  };
})()"""


def test_the_engine_runs_in_its_worker_and_stop_then_send_needs_no_reload(
    tiny_site: Path, serve, journey
) -> None:
    """A teacher stops a long answer on a slow tablet and asks again at once: the engine finishes
    the stopped answer in its worker (nothing more is shown), is not declared stuck, and answers
    next without reloading the model."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    assert page.evaluate("typeof window.GenAI") == "undefined"  # no MediaPipe on the page thread
    genai_on_page = "performance.getEntriesByType('resource').some((e) => e.name.includes('genai'))"
    assert page.evaluate(genai_on_page) is False
    in_engine(page, "() => { self.__marked = true; }")
    in_engine(page, SLOW_TAIL)
    in_engine(page, TIME_BATCHES)
    page.evaluate(STATUSES)
    stopped = send(page, "Write a long story")
    expect(stopped).to_have_attribute("data-status", "streaming", timeout=60_000)
    wait_until(page, "document.querySelector('.msg.model .text').textContent.length > 20", timeout=60_000)
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(stopped) == "stopped"
    kept = stopped.locator(".text").inner_text()
    following = send(page, "And now something short")
    assert wait_final(following, timeout=120_000) == "done", following.inner_text()
    assert following.locator(".text").inner_text().strip()
    assert stopped.locator(".text").inner_text() == kept and " more" not in kept
    assert in_engine(page, "() => [self.__marked, self.__tail]") == [True, 70]  # same worker, tail run
    sent = in_engine(page, "() => self.__batches")
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert len(sent) > 10 and min(gaps) >= 15.9, gaps  # token batches: at most one message per 16 ms
    statuses = page.evaluate("window.__statuses")
    assert not [s for s in statuses if "Loading" in s or "error" in s.lower()], statuses
    assert journey.errors == [] and journey.foreign_requests() == []


def unlimited_tiny_site(folder: Path) -> Path:
    """The tiny model embedded with no token limit in its record: the app asks for its default
    1024, MediaPipe refuses ("1024 > 256": the model's KV cache), the app retries at 256."""
    link = folder / "tiny.task"
    link.symlink_to(project_path("tiny"))
    (folder / "tiny.task.json").write_text(json.dumps({"label": "Tiny test model", "family": "gemma3"}))
    return build.build(folder / "_site", models=[link], catalog=catalog_file(folder, []))


def test_a_failed_load_leaves_no_gpu_device(tmp_path: Path, serve, context) -> None:
    context.add_init_script(SPY_WORKERS)
    page = context.new_page()
    journey = record(page, context)
    open_chat(page, serve(unlimited_tiny_site(tmp_path)).url)
    failed = [m for m in page.evaluate("window.__engineReplies") if m["type"] == "error"]
    assert failed and "maximum cache size" in failed[0]["message"], failed
    assert all(m["stats"]["requested"] == m["stats"]["destroyed"] for m in failed), failed
    assert page.evaluate("window.tabulaDiagnostics().engine_hosts") == 1  # the failed one was ended
    assert gpu_devices_alive(page) == 1
    assert wait_final(send(page, "Hello")) == "done"
    journey.allow("maximum cache size")
    assert journey.errors == []


def worker_count(page: Page) -> int:
    return page.evaluate("window.tabulaDiagnostics().engine_hosts")


def test_use_tabula_here_ends_the_first_windows_worker_at_once_mid_answer(
    tiny_site: Path, serve, context
) -> None:
    first, second, journey = two_windows(serve(tiny_site).url, context)
    assert worker_count(second) == 0
    answer = send(first, "Write a long story")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=60_000)
    wait_until(first, "document.querySelector('.msg.model .text').textContent.length > 20", timeout=60_000)
    second.get_by_role("button", name="Use Tabula here").click()
    assert wait_final(answer, timeout=10_000) == "stopped"  # at once: not when the answer ends
    kept = answer.locator(".text").inner_text()
    assert kept.strip() and worker_count(first) == 0
    assert no_engine_worker(first)  # terminated: Playwright saw the worker close
    expect(second.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(second, "Asked in the second window")) == "done"
    assert answer.locator(".text").inner_text() == kept
    assert worker_count(first) == 0 and worker_count(second) == 1
    assert journey.errors == [] and journey.foreign_requests() == []
