"""A model made of several files (issue 25), in real Chromium: one card for the set, downloaded
file after file into OPFS, resumed by Range after a drop, served back at ./models/<id>/<path> by
the service worker (offline too), refused whole when one file's hash differs, and imported from a
folder (a missing file named, nothing kept). The set's files are small generated stand-ins, not a
runnable model; the site embeds the tiny .task model, in use, so the set is never loaded."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import build
from tests.browser.chatting import ENGINE_TIMEOUT_MS
from tests.browser.conftest import Journey, Site, catalog_file, open_app, project_model, wait_offline_ready
from tests.browser.downloading import CHUNK, card, download, stored_folders, wait_stored
from tests.browser.modelserver import ModelServer

LABEL = "Tiny photo set"
CONTENT = {
    "config.json": b'{"model_type": "gemma4", "vision_config": {}, "audio_config": {}}',
    "tokenizer.json": b'{"version": "1.0", "model": {"type": "BPE"}}' * 40,
    "onnx/model.onnx": random.Random(3).randbytes(40_000),
    "onnx/model.onnx_data": random.Random(4).randbytes(300_000),  # 5 chunks of 64 KB
}
DATA = "onnx/model.onnx_data"
FOLDER_PICKER = "Import a model made of several files: pick its folder"


def write_set(folder: Path, leave_out: str = "") -> Path:
    for path, data in CONTENT.items():
        if path != leave_out:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def set_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_set(tmp_path_factory.mktemp("tiny-set") / "tiny-set")


@pytest.fixture(scope="module")
def set_server(set_files: Path) -> Iterator[ModelServer]:
    with ModelServer({p: set_files / p for p in CONTENT}).start() as server:
        yield server


@pytest.fixture(scope="module")
def set_site(tmp_path_factory: pytest.TempPathFactory, set_server: ModelServer) -> Path:
    folder = tmp_path_factory.mktemp("set-site")
    files = [
        {"path": p, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in CONTENT.items()
    ]
    record = {
        "id": "tiny-set", "label": LABEL, "family": "gemma4", "format": "onnx", "inputs": ["image", "audio"],
        "url": f"{set_server.origin}/org/tiny-set/resolve/main", "bytes": sum(f["bytes"] for f in files),
        "sha256": "", "files": files, "licence": "Apache-2.0 (test)",
    }  # fmt: skip
    tiny = project_model("tiny", folder)
    return build.build(folder / "_site", models=[tiny], catalog=catalog_file(folder, [record]), chunk=CHUNK)


@pytest.fixture
def app(set_site: Path, serve: Callable[..., Site], journey: Journey, set_server: ModelServer) -> Page:
    for path in CONTENT:
        set_server.drop_at(path, [])
        set_server.corrupt(path, False)
    set_server.throttle(None)
    set_server.log.clear()
    open_app(journey.page, serve(set_site).url + "#/models")
    wait_offline_ready(journey.page)
    return journey.page


SERVED = """async ([path, range]) => {
  const response = await fetch(`models/tiny-set/${path}`, range ? {headers: {Range: range}} : {});
  const bytes = new Uint8Array(await response.arrayBuffer());
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  return [response.status, bytes.length, hash.map((b) => b.toString(16).padStart(2, '0')).join('')];
}"""


def starts(server: ModelServer, path: str) -> list[int]:
    """Where each GET of the set's `path` started (its Hub address: /org/tiny-set/resolve/main/…)."""
    return [h.range_start or 0 for h in server.log if h.method == "GET" and h.path.endswith(f"/main/{path}")]


def served(page: Page, path: str, range_: str = "") -> tuple[int, int, str]:
    status, size, sha = page.evaluate(SERVED, [path, range_])
    return status, size, sha


def test_a_set_is_one_card_refused_whole_resumed_served_by_folder_url_and_imported(
    app: Page, set_server: ModelServer, journey: Journey, tmp_path: Path
) -> None:
    """A teacher gets Gemma 4 with photos and voice as one card: a proxy that alters one file gets
    it refused, naming the file, with nothing kept; the Wi-Fi dropping in the biggest file costs
    only the chunk it was in; offline the engine finds every file by URL; and a USB stick's folder
    imports it (a missing file named first, nothing kept)."""
    found = card(app, LABEL)
    expect(found).to_contain_text("4 files")
    expect(found).to_contain_text("Understands: text, photos, voice")
    expect(app.locator(".model-card")).to_have_count(2)  # the embedded tiny model and the set
    set_server.corrupt(DATA)
    download(app, LABEL)
    expect(found.get_by_role("alert")).to_contain_text(
        f"{DATA} is not the file {LABEL} needs", timeout=60_000
    )
    assert stored_folders(app) == {}
    set_server.corrupt(DATA, False)
    dropped_and_resumed(app, set_server, journey)
    served_offline(app, journey)
    found.get_by_role("button", name="Delete").click()
    expect(found.locator(".stored")).to_have_text("Not downloaded")
    assert stored_folders(app) == {}
    imported_from_a_folder(app, tmp_path)


def dropped_and_resumed(app: Page, set_server: ModelServer, journey: Journey) -> None:
    """The connection drops in the set's biggest file: it resumes after that file's whole chunks."""
    # Chromium drops what it has not handed to the page when a connection breaks, so the page
    # is let settle (the tiny model loaded) and the bytes arrive in pieces, as on a real network.
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    set_server.log.clear()
    set_server.throttle(200_000)
    set_server.drop_at(DATA, [280_000])
    card(app, LABEL).get_by_role("button", name="Try again").click()  # after the refusal above
    wait_stored(card(app, LABEL))
    set_server.throttle(None)
    journey.allow("ERR_CONTENT_LENGTH_MISMATCH")  # the drop, as the browser reports it
    (first, resumed) = starts(set_server, DATA)
    assert first == 0 and resumed % CHUNK == 0 and CHUNK <= resumed <= 280_000  # after its whole chunks
    assert starts(set_server, "config.json") == [0]
    folders = stored_folders(app)
    assert sorted(folders["tiny-set"]) == ["config.json", "onnx%2Fmodel.onnx", "onnx%2Fmodel.onnx_data",
                                           "ready.json", "tokenizer.json"]  # fmt: skip


def served_offline(app: Page, journey: Journey) -> None:
    """Offline, the service worker answers ./models/tiny-set/<path> from OPFS, Range too."""
    app.context.set_offline(True)
    for path, data in CONTENT.items():
        assert served(app, path) == (200, len(data), hashlib.sha256(data).hexdigest()), path
    part = CONTENT[DATA][100_000:100_010]
    assert served(app, DATA, "bytes=100000-100009") == (206, 10, hashlib.sha256(part).hexdigest())
    assert served(app, "onnx/missing.onnx")[0] == 404
    assert journey.allow("status of 404") == 1  # asked on purpose: a path the set does not hold
    app.context.set_offline(False)


def imported_from_a_folder(app: Page, tmp_path: Path) -> None:
    """A folder missing a file is refused naming it; the whole folder imports and is served."""
    picker = app.get_by_label(FOLDER_PICKER)
    picker.set_input_files(write_set(tmp_path / "short" / "tiny-set", leave_out=DATA))
    said = f"The folder has no {DATA}, which {LABEL} needs, so nothing was imported."
    expect(app.locator("#models-notice")).to_have_text(said)
    assert stored_folders(app) == {}
    picker.set_input_files(write_set(tmp_path / "whole" / "tiny-set"))
    wait_stored(card(app, LABEL))
    expect(app.locator("#models-notice")).to_be_empty()
    assert served(app, DATA) == (200, len(CONTENT[DATA]), hashlib.sha256(CONTENT[DATA]).hexdigest())
