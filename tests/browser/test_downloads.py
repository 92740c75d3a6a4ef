"""Models reach the device over bad networks: download, resume, verify, then load and answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_models import sha256
from tests.browser.chatting import ENGINE_TIMEOUT_MS, send, wait_final
from tests.browser.conftest import Journey, Site, first_page, open_app
from tests.browser.downloading import (
    CHUNK,
    HUB_TINY,
    TINY,
    card,
    download,
    limit_quota,
    stored_folders,
    wait_progress,
    wait_stored,
)
from tests.browser.modelserver import ModelServer
from tests.browser.waiting import wait_until


def test_download_verify_load_and_answer(app, model_server: ModelServer, files: dict[str, Path]) -> None:
    """A teacher downloads the small model once; it is checked, stored and answers."""
    found = download(app, TINY)
    wait_stored(found)
    size = files["tiny.task"].stat().st_size
    chunks = [f"c{i:06d}" for i in range(-(-size // CHUNK))]
    # The hash state kept beside the chunks, so verification never re-reads them.
    assert sorted(stored_folders(app)["tiny-download"]) == [*chunks, "ready.json", "sha256.state"]
    expect(found.locator(".in-use")).to_have_text("In use")  # the first model is used at once
    app.get_by_role("link", name="Chat", exact=True).click()
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(app, "Hello")) == "done"
    assert model_server.range_starts("tiny.task") == [0]


def test_drops_resume_from_the_stored_chunk(app, model_server: ModelServer, journey: Journey) -> None:
    """The connection drops three times mid-download; each time it resumes where it was."""
    drops = [100_000, 250_000, 400_000]
    model_server.throttle(400_000)  # bytes arrive in pieces, as on a real network
    model_server.drop_at("tiny.task", drops)
    wait_stored(download(app, TINY))
    starts = model_server.range_starts("tiny.task")
    assert len(starts) == 4, starts
    assert starts[0] == 0
    for start, drop in zip(starts[1:], drops, strict=True):
        assert start % CHUNK == 0 and start <= drop, (starts, drops)
    assert starts == sorted(starts) and starts[-1] > 0, starts
    assert journey.allow("ERR_CONTENT_LENGTH_MISMATCH") == len(drops)  # Chromium logs each drop


def test_reload_mid_download_resumes(app, model_server: ModelServer) -> None:
    """The tablet reloads (or the app is closed) mid-download; it picks up where it stopped."""
    model_server.throttle(60_000)
    download(app, TINY)
    wait_progress(app)
    app.reload()
    model_server.throttle(None)
    wait_stored(card(app, TINY))
    starts = model_server.range_starts("tiny.task")
    assert starts[0] == 0 and len(starts) >= 2 and starts[-1] >= CHUNK, (
        starts,
        model_server.log,
        app.locator("#catalogue").inner_text(),
    )


def test_wrong_bytes_are_rejected(app, model_server: ModelServer) -> None:
    """A proxy mangles the file: the app refuses it, says so, and keeps nothing."""
    model_server.corrupt("tiny.task")
    found = download(app, TINY)
    expect(found.get_by_role("alert")).to_contain_text("does not match the expected checksum", timeout=60_000)
    expect(found.get_by_role("button", name="Use this model")).to_have_count(0)
    expect(found.get_by_role("button", name="Try again")).to_be_visible()
    assert "tiny-download" not in stored_folders(app)


def test_quota_too_small_is_said_before_downloading(app, model_server: ModelServer, journey: Journey) -> None:
    """A tablet with little free space is told before any byte is fetched."""
    limit_quota(app, 200_000)
    found = download(app, TINY)
    expect(found.get_by_role("alert")).to_contain_text("Not enough storage")
    assert model_server.range_starts("tiny.task") == []
    assert "tiny-download" not in stored_folders(app)


def test_browser_killed_mid_download_keeps_the_whole_chunks_and_finishes(
    tmp_path: Path, download_site: Path, serve, persistent, model_server: ModelServer
) -> None:
    """The tablet's browser is killed mid-download (no unload, no goodbye): next time the
    download resumes from the chunks already stored whole and the model verifies."""
    url = serve(download_site).url + "#/models"
    model_server.throttle(60_000)
    page = first_page(persistent(tmp_path / "profile"))
    open_app(page, url)
    download(page, TINY)
    wait_progress(page)
    page.context.close()  # killed: nothing gets to finish or clean up
    model_server.throttle(None)
    page = first_page(persistent(tmp_path / "profile"))
    open_app(page, url)
    wait_stored(card(page, TINY))
    starts = model_server.range_starts("tiny.task")
    assert starts[0] == 0 and starts[-1] >= CHUNK, starts
    expect(card(page, TINY).locator(".stored")).to_have_text("On this device · works offline")


def test_storage_filling_up_mid_download_pauses_and_keeps_the_progress(
    app, model_server: ModelServer, journey: Journey
) -> None:
    """Photos fill the tablet while a model downloads: the app pauses, says how much room to
    make, keeps every chunk stored whole, and Resume continues from there once there is room."""
    model_server.throttle(60_000)
    found = download(app, TINY)
    wait_progress(app)
    limit_quota(app, 1_000)
    expect(found).to_contain_text("Storage is full. Free", timeout=60_000)
    expect(found).to_contain_text("then press Resume")
    kept = [name for name in stored_folders(app)["tiny-download"] if name.startswith("c")]
    assert len(kept) >= 2, kept  # wait_progress(30 %) of ~7 chunks: at least two whole ones
    expect(found.get_by_role("button", name="Use this model")).to_have_count(0)
    limit_quota(app, None)  # room again
    model_server.throttle(None)
    found.get_by_role("button", name="Resume").click()
    wait_stored(found)
    starts = model_server.range_starts("tiny.task")
    assert starts[0] == 0 and starts[-1] >= len(kept) * CHUNK - CHUNK, starts  # resumed, not restarted


def test_a_captive_portal_page_is_refused_at_once(app, model_server: ModelServer) -> None:
    """The school's Wi-Fi wants a sign-in first and answers every request with its HTML page:
    the app says so in words, keeps nothing, and does not retry by itself."""
    model_server.portal()
    found = download(app, TINY)
    expect(found.get_by_role("alert")).to_contain_text("answered with a web page, not a model file")
    expect(found.get_by_role("button", name="Try again")).to_be_visible()
    assert "tiny-download" not in stored_folders(app)
    assert len(model_server.range_starts("tiny.task")) == 1


def test_a_hugging_face_page_address_downloads_the_file(
    app, model_server: ModelServer, journey: Journey
) -> None:
    """A teacher copies the address of the model's page on Hugging Face (…/blob/…): the app
    downloads the file itself (…/resolve/…), and never the page."""
    form = app.locator("form.add-model")
    form.get_by_label("Address of a .task or .gguf file").fill(model_server.hub_url("tiny.task", page=True))
    form.get_by_label("Name (optional)").fill("Copied from its page")
    form.get_by_role("button", name="Add").click()
    wait_stored(card(app, "Copied from its page"))
    gets = [hit.path for hit in model_server.log if hit.method == "GET"]
    assert gets[-1] == "/litert-community/test/resolve/main/tiny.task", gets
    assert not any("/blob/" in path for path in gets), gets
    # The first model is loaded at once: MediaPipe's refusal teaches its token limit.
    journey.allow("litert_resource_calculator")


def chunk_times(page) -> dict[str, float]:
    """When each stored chunk file of the tiny model was last written (ms since the epoch)."""
    return page.evaluate(
        """async () => {
          const root = await navigator.storage.getDirectory();
          const dir = await (await root.getDirectoryHandle('models')).getDirectoryHandle('tiny-download');
          const out = {};
          for await (const [name, handle] of dir.entries())
            if (name.startsWith('c')) out[name] = (await handle.getFile()).lastModified;
          return out;
        }"""
    )


def test_a_server_that_ignores_range_keeps_the_stored_chunks(
    app, model_server: ModelServer, journey: Journey
) -> None:
    """A proxy strips Range and answers every resume with the whole file: the chunks already
    stored are kept (not wiped and fetched again) and the model still verifies."""
    model_server.ignore_range("tiny.task")
    model_server.throttle(60_000)
    found = download(app, TINY)
    wait_progress(app, 40)
    found.get_by_role("button", name="Pause").click()
    expect(found).to_contain_text("Paused")
    before = chunk_times(app)
    assert len(before) >= 2, before
    model_server.throttle(None)
    found.get_by_role("button", name="Resume").click()
    wait_stored(found)
    after = chunk_times(app)
    assert {name: after[name] for name in before} == before  # the same files: none rewritten
    assert model_server.range_starts("tiny.task")[-1] > 0  # it asked to resume; the proxy ignored it


def test_a_file_changed_between_two_resumes_starts_over(
    app, model_server: ModelServer, files: dict[str, Path], tmp_path: Path, journey: Journey
) -> None:
    """The file at an address is replaced while a download is paused: the app does not splice
    the two, it says the file changed and downloads the new one whole."""
    data = bytearray(files["tiny.task"].read_bytes())
    data[-5000] ^= 0xFF  # another file: same size and head, other bytes
    newer = tmp_path / "newer.task"
    newer.write_bytes(bytes(data))
    model_server.add("swap.task", files["tiny.task"])
    model_server.throttle(60_000)
    form = app.locator("form.add-model")
    form.get_by_label("Address of a .task or .gguf file").fill(model_server.url("swap.task"))
    form.get_by_label("Name (optional)").fill("Swapped")
    form.get_by_role("button", name="Add").click()
    found = card(app, "Swapped")
    for _ in range(300):  # no total is known yet (a custom address): wait for three whole chunks
        if len(stored_folders(app).get("custom-swap", [])) >= 3:
            break
        app.wait_for_timeout(100)
    found.get_by_role("button", name="Pause").click()
    expect(found).to_contain_text("Paused")
    model_server.add("swap.task", newer)
    model_server.throttle(None)
    found.get_by_role("button", name="Resume").click()
    expect(found).to_contain_text("changed since the download began", timeout=60_000)
    wait_stored(found)
    ready = app.evaluate(
        """async () => {
          const root = await navigator.storage.getDirectory();
          const dir = await (await root.getDirectoryHandle('models')).getDirectoryHandle('custom-swap');
          return (await (await dir.getFileHandle('ready.json')).getFile()).text();
        }"""
    )
    assert json.loads(ready)["sha256"] == sha256(newer)
    starts = model_server.range_starts("swap.task")
    assert starts[0] == 0 and starts[-1] == 0 and len(starts) >= 3, starts
    # It is the first model, so it is loaded at once: MediaPipe's refusal teaches its token limit.
    journey.allow("litert_resource_calculator")


def test_wrong_bytes_with_no_hash_in_the_catalogue_are_refused(app, model_server: ModelServer) -> None:
    """The catalogue names a Hub file but no checksum: the app asks the Hub's model API what
    the file must be before the first byte, so mangled bytes are refused, not pinned."""
    model_server.corrupt("tiny.task")
    found = download(app, HUB_TINY)
    expect(found.get_by_role("alert")).to_contain_text("does not match the expected checksum", timeout=60_000)
    assert "hub-tiny" not in stored_folders(app)
    api = [hit.path for hit in model_server.log if hit.path.startswith("/api/models/")]
    assert api == ["/api/models/litert-community/test/revision/main"], api


def test_the_shipped_catalogue_with_hugging_face_unreachable_says_what_it_waits_for(
    site: Site, journey: Journey
) -> None:
    """A new user presses Download on Gemma 3 270M of the catalogue that ships, with no route
    to huggingface.co: the card says so and when it retries, never a silent "0 KB"."""
    page = journey.page
    page.route("https://huggingface.co/**", lambda route: route.abort("internetdisconnected"))
    open_app(page, site.url + "#/models")
    found = download(page, "Gemma 3 270M (small, fast)")
    expect(found).to_contain_text("No connection to huggingface.co — retrying in", timeout=60_000)
    found.get_by_role("button", name="Pause").click()
    expect(found).to_contain_text("Paused")
    asked = [u for u in journey.requests if u.startswith("https://huggingface.co/")]
    assert (
        "https://huggingface.co/api/models/litert-community/gemma-3-270m-it/revision/9d209327?blobs=true"
        in asked
    )
    assert any(u.endswith("/resolve/9d209327/gemma3-270m-it-q4_0-web.task") for u in asked), asked
    # The route aborted them inside the browser: none of them left this machine.
    journey.requests[:] = [u for u in journey.requests if u not in asked]
    journey.allow("ERR_INTERNET_DISCONNECTED")


# OPFS made slow the way a busy tablet is: every File read of a chunk waits until the test
# opens the gate, so a press lands while the downloader checks the chunks it has stored.
HOLD_CHUNK_READS = """() => {
  window.__held = 0;
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  window.__openGate = () => open();
  const getFile = FileSystemFileHandle.prototype.getFile;
  FileSystemFileHandle.prototype.getFile = async function () {
    window.__held += 1;
    await gate;
    return getFile.call(this);
  };
}"""


@pytest.mark.parametrize("press", ["Pause", "Cancel download"])
def test_a_press_while_the_stored_chunks_are_checked_is_obeyed(
    app, model_server: ModelServer, press: str
) -> None:
    """Resume, then Pause or Cancel download at once, while the app is still checking the
    chunks it stored: the press wins. Nothing more is fetched; a paused download keeps its
    chunks, a cancelled one is gone and never comes back as ready."""
    model_server.throttle(60_000)
    found = download(app, TINY)
    wait_progress(app, 40)
    found.get_by_role("button", name="Pause").click()
    expect(found).to_contain_text("Paused")
    kept = sorted(stored_folders(app)["tiny-download"])
    asked = model_server.range_starts("tiny.task")
    model_server.throttle(None)
    app.evaluate(HOLD_CHUNK_READS)
    found.get_by_role("button", name="Resume").click()
    wait_until(app, "window.__held > 0", timeout=30_000)  # the check is under way, and held
    found.get_by_role("button", name=press).click()
    app.evaluate("window.__openGate()")
    if press == "Pause":
        expect(found.get_by_role("button", name="Resume")).to_be_visible()
    else:
        expect(found.locator(".stored")).to_have_text("Not downloaded")
    app.wait_for_timeout(1_500)  # room for a download that ignored the press to start
    assert model_server.range_starts("tiny.task") == asked  # no request after the press
    folders = stored_folders(app)
    if press == "Pause":
        assert sorted(folders["tiny-download"]) == kept
        expect(found).to_contain_text("Paused")
    else:
        assert "tiny-download" not in folders, folders
        expect(found.get_by_role("button", name=re.compile(r"^Download \("))).to_be_visible()
    expect(found.get_by_role("button", name="Use this model")).to_have_count(0)
