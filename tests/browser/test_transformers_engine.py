"""The Transformers.js engine (issue #25) with the real library on the tiny Gemma-4-shaped ONNX
set, on the wasm backend (a browser without WebGPU), at a sub-path: the set is downloaded, kept
in OPFS and served back by the service worker, the engine loads it from there, streams an answer
into the chat, Stop drops what comes after it, a photo and a voice note sent in the chat reach
the model as pixel and audio tensors with their tokens in the prompt, a scanned PDF's pages are
read as pictures (issue #24: PDF.js draws each page, the model gets it with the transcription
request, its text becomes that page), and offline the engine loads again (its runtime from the
service worker's on-demand cache). One site, one page."""

from __future__ import annotations

import json
import math
import re
import struct
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

import build
from site_models import sha256
from tabula.chat.scans import ASK
from tests import documents as made
from tests.browser.chatting import ENGINE_TIMEOUT_MS, RECORDER, send, wait_final
from tests.browser.conftest import Journey, catalog_file, open_app, record, wait_offline_ready
from tests.browser.downloading import download, wait_stored
from tests.browser.engines import in_engine
from tests.browser.modelserver import ModelServer
from tests.browser.waiting import wait_until
from tests.models.gemma4 import build as tiny_gemma4

SCRIPT = "/js/engine_transformers.js"
LABEL = "Tiny Gemma 4 (photos, voice)"
# A record in IndexedDB "tabula-media" / "attachments" as the page writes it ({blob, kind, mime}):
# a 640x480 PNG drawn on a canvas, or one second of a 440 Hz tone as a 16 kHz mono float32 WAV
# (the composer's recordings, in the test above, are PCM16: the worker decodes both).
PUT = """async ([id, kind]) => {
  let blob;
  if (kind === 'image') {
    const canvas = new OffscreenCanvas(640, 480), g = canvas.getContext('2d');
    g.fillStyle = '#3a7'; g.fillRect(0, 0, 640, 480); g.fillStyle = '#fff'; g.fillRect(100, 100, 200, 150);
    blob = await canvas.convertToBlob({ type: 'image/png' });
  } else {
    const n = 16000, bytes = new DataView(new ArrayBuffer(44 + 4 * n));
    const text = (at, s) => [...s].forEach((c, i) => bytes.setUint8(at + i, c.charCodeAt(0)));
    text(0, 'RIFF'); bytes.setUint32(4, 36 + 4 * n, true); text(8, 'WAVE'); text(12, 'fmt ');
    [[16, 16, 4], [20, 3, 2], [22, 1, 2], [24, 16000, 4], [28, 64000, 4], [32, 4, 2], [34, 32, 2], [40, 4 * n, 4]]
      .forEach(([at, v, size]) => size === 4 ? bytes.setUint32(at, v, true) : bytes.setUint16(at, v, true));
    text(36, 'data');
    for (let i = 0; i < n; i++) bytes.setFloat32(44 + 4 * i, 0.3 * Math.sin(2 * Math.PI * 440 * i / 16000), true);
    blob = new Blob([bytes.buffer], { type: 'audio/wav' });
  }
  const db = await new Promise((ok, no) => {
    const open = indexedDB.open('tabula-media', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('attachments');
    open.onsuccess = () => ok(open.result); open.onerror = () => no(open.error);
  });
  await new Promise((ok, no) => {
    const tx = db.transaction('attachments', 'readwrite');
    tx.objectStore('attachments').put({ blob, kind, mime: blob.type }, id);
    tx.oncomplete = ok; tx.onerror = () => no(tx.error);
  });
  db.close();
}"""


def put_attachment(page: Page, attachment_id: str, kind: str) -> None:
    """Store a photo or a voice note in IndexedDB as the page does (the test's stand-in for the
    composer, which another part of issue #25 owns)."""
    page.evaluate(PUT, [attachment_id, kind])


def set_files() -> dict[str, Path]:
    """The tiny set's files by their path in the set."""
    model = tiny_gemma4.build()
    return {p.relative_to(model).as_posix(): p for p in sorted(model.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def set_server() -> Iterator[ModelServer]:
    """The tiny set's files, served as a Hub repository would (…/resolve/main/<path>)."""
    with ModelServer(set_files()).start() as server:
        yield server


@pytest.fixture(scope="module")
def onnx_site(tmp_path_factory: pytest.TempPathFactory, set_server: ModelServer) -> Path:
    """A site whose catalogue offers only the tiny ONNX set, each file with its size and sha256.
    400 tokens: a photo and a second of audio take 383 of them (the answers stay short)."""
    folder = tmp_path_factory.mktemp("onnx-site")
    files = [{"path": p, "bytes": f.stat().st_size, "sha256": sha256(f)} for p, f in set_files().items()]
    record = {
        "id": "tiny-gemma4", "label": LABEL, "family": "gemma4", "format": "onnx", "inputs": ["image", "audio"],
        "url": f"{set_server.origin}/org/tiny-gemma4/resolve/main", "bytes": sum(f["bytes"] for f in files),
        "sha256": "", "files": files, "max_tokens": 400,
    }  # fmt: skip
    return build.build(folder / "_site", catalog=catalog_file(folder, [record]))


@pytest.fixture(scope="module")
def shared(no_webgpu_browser: Browser, onnx_site: Path) -> Iterator[Journey]:
    """One page for every test here: the set downloaded into this device's storage, served back
    by the service worker at ./models/tiny-gemma4/, and loaded on the wasm backend."""
    from devserver import start_in_thread

    server = start_in_thread(onnx_site, mount="/sub/")
    context = no_webgpu_browser.new_context(viewport={"width": 1024, "height": 768})
    journey = record(context.new_page(), context)
    open_app(journey.page, f"http://127.0.0.1:{server.server_port}/sub/#/models")
    wait_offline_ready(journey.page)
    wait_stored(download(journey.page, LABEL))
    journey.page.get_by_role("link", name="Chat", exact=True).click()
    wait_engine(journey.page)
    yield journey
    context.close()
    server.shutdown()
    server.server_close()


def wait_engine(page: Page) -> None:
    status = page.get_by_role("status", name="Engine")
    expect(status).to_have_text(re.compile("^(Ready|Engine error)$"), timeout=ENGINE_TIMEOUT_MS)
    assert status.inner_text() == "Ready", page.inner_text("#view")


@pytest.fixture
def page(shared: Journey) -> Iterator[Page]:
    yield shared.page
    assert shared.errors == [], "console errors"
    assert shared.foreign_requests() == [], "requests left 127.0.0.1"


def new_chat(page: Page) -> None:
    page.get_by_role("button", name="New chat").click()
    expect(page.locator("article.msg")).to_have_count(0)


def in_worker(page: Page, script: str) -> object:
    return in_engine(page, script, SCRIPT)


def test_the_set_loads_on_wasm_and_an_answer_streams(page: Page) -> None:
    """A tablet without WebGPU downloads a Gemma 4 set: Transformers.js loads it from this
    device's copy (q4 on the wasm backend, from our vendored copy: no CDN) and the answer streams."""
    info = in_worker(page, "() => { const m = self.tabulaEngine.model(); return m && m.sessions && Object.keys(m.sessions); }")
    assert sorted(info) == ["audio_encoder", "decoder_model_merged", "embed_tokens", "vision_encoder"]
    page.evaluate(RECORDER)
    answer = send(page, "Describe this image and this audio clip.")
    assert wait_final(answer) == "done"
    text = answer.locator(".text").inner_text()
    seen = page.evaluate("window.__seen")
    assert text.strip() and len(seen) >= 2, seen  # painted more than once while it streamed
    last = in_worker(page, "() => self.tabulaEngine.last()")
    assert last["prompt"].startswith("<|turn>system\n") and last["prompt"].endswith("<|turn>model\n")
    assert last["imageTokens"] == 0 and last["pixelValues"] is None


def test_stop_keeps_what_was_written_and_the_next_answer_works(page: Page) -> None:
    """Stop interrupts generation: what was written stays, nothing after it reaches the chat,
    and the next answer runs."""
    new_chat(page)
    answer = send(page, "The quick brown fox")
    wait_until(page, "([...document.querySelectorAll('.msg.model .text')].at(-1)?.textContent ?? '').length > 10")
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    assert wait_final(answer) == "stopped"
    kept = answer.locator(".text").inner_text()
    time.sleep(1)
    assert answer.locator(".text").inner_text() == kept
    assert wait_final(send(page, "hello world")) == "done"


def test_a_photo_and_a_voice_note_sent_in_the_chat_reach_the_model(page: Page, tmp_path: Path) -> None:
    """A health worker adds a photo of a label and a voice note to a message and sends it: the
    prompt carries Gemma 4's placeholders in the user turn, the worker reads both from IndexedDB,
    the photo becomes pixel values (640x480: 266 image tokens) and the clip audio features (one
    second: 25 audio tokens), and the answer comes (short: the two take 383 of the 400 tokens)."""
    new_chat(page)
    composer = page.locator("form.composer")
    Image.new("RGB", (640, 480), (30, 160, 90)).save(tmp_path / "label.png", "PNG")
    with wave.open(str(tmp_path / "note.wav"), "wb") as clip:
        clip.setnchannels(1), clip.setsampwidth(2), clip.setframerate(16_000)
        clip.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 5))) for i in range(16_000)))
    composer.locator('input[data-action="attach-photo"]').set_input_files(tmp_path / "label.png")
    composer.locator('input[data-action="attach-audio"]').set_input_files(tmp_path / "note.wav")
    expect(composer.locator(".chip")).to_have_count(2)
    answer = send(page, "What does it say?")
    assert wait_final(answer) == "done" and answer.locator(".text").inner_text().strip()
    last = in_worker(page, "() => self.tabulaEngine.last()")
    kinds = [m["kind"] for m in last["media"]]  # in the order they were ready in the composer
    assert sorted(kinds) == ["audio", "image"]
    marks = "".join(f"<|{kind}|>" for kind in kinds)
    assert last["prompt"].endswith(f"<|turn>user\n{marks}What does it say?<turn|>\n<|turn>model\n")
    assert last["pixelValues"] == [1, 2520, 768] and last["imageTokens"] == 266
    assert last["inputFeatures"] == [1, 99, 128] and last["audioTokens"] == 25
    assert last["sampling"]["do_sample"] is True  # a chat answer: the chat's sampling (default settings)


def test_a_photo_and_a_voice_note_put_in_indexeddb_reach_the_engine(page: Page) -> None:
    """The worker's side of the IndexedDB contract alone: records written as the page writes them
    ({blob, kind, mime} under the attachment's id) are read by id, in the order asked."""
    put_attachment(page, "photo-1", "image")
    put_attachment(page, "voice-1", "audio")
    media = [{"id": "photo-1", "kind": "image"}, {"id": "voice-1", "kind": "audio"}]
    prompt = "<|turn>user\n<|image|><|audio|>Describe this image and this audio clip.<turn|>\n<|turn>model\n"
    script = """async ([prompt, media]) => {
      const port = (await import('./js/engine_port.js')).current();
      const done = await port.generate({ type: 'generate', prompt, media, options: { nPredict: 4, maxTokens: 1024, temperature: 0, topK: 1 } });
      return done.text;
    }"""
    text = page.evaluate(script, [prompt, media])
    assert text
    last = in_worker(page, "() => self.tabulaEngine.last()")
    assert last["pixelValues"] == [1, 2520, 768] and last["imageTokens"] == 266
    assert last["inputFeatures"] == [1, 99, 128] and last["audioTokens"] == 25


# What each generation was given (tabulaEngine.last()) and what it wrote, kept in the engine
# worker as its "done" replies go out.
RECORD_READS = """() => {
  self.__reads = [];
  const post = self.postMessage.bind(self);
  self.postMessage = (message, ...rest) => {
    if (message?.type === 'done') self.__reads.push({ ...self.tabulaEngine.last(), text: message.text });
    return post(message, ...rest);
  };
}"""
# The conversations as IndexedDB keeps them (each the record's JSON text in PyScript's Flatted
# ["generic", text] wrapping: browser/indexeddb.py).
KEPT = """() => new Promise((done) => {
  const open = indexedDB.open('IDBMap/@pyscript/tabula-chats');
  open.onsuccess = () => {
    const all = open.result.transaction('entries').objectStore('entries').getAll();
    all.onsuccess = () => { open.result.close(); done(all.result); };
  };
})"""
MEDIA_IDS = """() => new Promise((done) => {
  const open = indexedDB.open('tabula-media');
  open.onsuccess = () => {
    const keys = open.result.transaction('attachments').objectStore('attachments').getAllKeys();
    keys.onsuccess = () => { open.result.close(); done(keys.result); };
  };
})"""


def kept_documents(page: Page) -> list[dict]:
    """Every document kept with a conversation in IndexedDB (as chat/documents.py to_dict wrote it)."""
    values = [json.loads(raw) for raw in page.evaluate(KEPT)]
    records = [json.loads(next(v for v in value if isinstance(v, str) and v.startswith("{"))) for value in values]
    return [doc for record in records for doc in record.get("documents", [])]


def test_a_scanned_pdf_is_read_page_by_page_as_pictures_and_kept(page: Page, tmp_path: Path) -> None:
    """A nurse adds a scanned form (two pages that are only images) to the chat with a model that
    reads photos on the tablet: the sentence offers to read them with it; on that press PDF.js
    draws each page in the reader worker, the engine gets each as pixel values with the
    transcription request, and the text it wrote becomes those pages of the document kept with
    the conversation (marked as read from a picture); no picture stays stored."""
    new_chat(page)
    in_worker(page, RECORD_READS)
    scan = made.scanned_pdf(tmp_path / "form.pdf", pages=2)
    page.locator('form.composer input[data-action="open-note:composer"]').set_input_files(scan)
    said = page.get_by_role("status").filter(has_text="Opened form.pdf (2 pages). Pages 1–2 are images.")
    expect(said).to_be_visible()
    said.get_by_role("button", name=f"Read pages 1–2 as pictures with {LABEL}").click()
    done = page.get_by_role("status").filter(has_text=f"{LABEL} read the text of pages 1–2 of form.pdf.")
    expect(done.or_(page.get_by_role("alert"))).to_be_visible(timeout=ENGINE_TIMEOUT_MS)
    reads = in_worker(page, "() => self.__reads")
    assert done.is_visible(), (page.get_by_role("alert").all_inner_texts(), reads)
    assert len(reads) == 2 and all(r["text"].strip() for r in reads), reads
    for read in reads:  # one picture each, its tokens in the prompt before the request
        assert read["prompt"] == f"<|turn>user\n<|image|>{ASK}<turn|>\n<|turn>model\n"
        assert [m["kind"] for m in read["media"]] == ["image"] and read["imageTokens"] > 0
        assert read["pixelValues"] is not None and read["pixelValues"][-1] == 768
        assert read["sampling"] == {"do_sample": False}  # read greedily: sampling would make words up
    (doc,) = [d for d in kept_documents(page) if d["title"] == "form.pdf"]
    assert doc["pictured"] == [1, 2] and doc["scanned"] == []
    flat = lambda text: " ".join(text.split())  # noqa: E731  (the document keeps tidied text)
    assert [(s[1], flat(s[2])) for s in doc["sections"]] == [
        ("1", flat(reads[0]["text"])),
        ("2", flat(reads[1]["text"])),
    ]
    expect(page.locator(".kept-docs")).to_contain_text("form.pdf")
    assert not {r["media"][0]["id"] for r in reads} & set(page.evaluate(MEDIA_IDS))  # pictures deleted


def test_offline_the_set_and_its_runtime_load_from_the_service_worker(page: Page) -> None:
    """With the network gone, a fresh engine worker loads and answers: Transformers.js and ONNX
    Runtime's wasm from the on-demand cache (kept on their first use, never precached), the set
    from OPFS through the service worker (a worker of its own, so no page reload to wait for)."""
    page.context.set_offline(True)
    try:
        info, text = page.evaluate(FRESH_ENGINE)
    finally:
        page.context.set_offline(False)
    assert info["device"] == "wasm" and info["dtype"] == "q4" and text


# A second engine host, started and ended here: load the stored set, write two tokens.
FRESH_ENGINE = """async () => {
  const { paths } = await (await fetch('config.json')).json();
  const at = (path) => new URL(path, document.baseURI).href;
  const port = (await import(at('js/engine_port.js'))).open('transformers', at('js/engine_transformers.js'));
  try {
    const options = { ort: at(paths.ort), device: 'wasm', dtype: 'q4', maxTokens: 400 };
    const loaded = await port.request({ type: 'load', base: at(paths.transformers), source: { url: at('models/tiny-gemma4/') }, options });
    const prompt = '<|turn>user\\nhello<turn|>\\n<|turn>model\\n';
    const done = await port.request({ type: 'generate', prompt, media: [], options: { nPredict: 2, maxTokens: 400, temperature: 0, topK: 1 } });
    return [loaded.info, done.text];
  } finally {
    port.end('the test is done with it');
  }
}"""
