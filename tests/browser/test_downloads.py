"""Models reach the device over bad networks: download, resume, verify, then load and answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, send, wait_final
from tests.browser.conftest import Journey, Site, open_app
from tests.browser.downloading import (
    CHUNK,
    build_download_site,
    card,
    download,
    model_files,
    stored_folders,
    wait_stored,
)
from tests.browser.modelserver import ModelServer

TINY = "Tiny test model"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return model_files(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def server(files: dict[str, Path]) -> Iterator[ModelServer]:
    with ModelServer(files).start() as started:
        yield started


@pytest.fixture
def models(server: ModelServer) -> ModelServer:
    """The module's model server with no faults and an empty log."""
    for name in ("tiny.task", "real.task"):
        server.drop_at(name, [])
        server.corrupt(name, False)
        server.ignore_range(name, False)
    server.throttle(None)
    server.log.clear()
    return server


@pytest.fixture(scope="module")
def download_site(tmp_path_factory: pytest.TempPathFactory, server: ModelServer, files: dict[str, Path]) -> Path:
    return build_download_site(tmp_path_factory.mktemp("download-site"), server, files)


@pytest.fixture
def app(download_site: Path, serve: Callable[..., Site], journey: Journey):
    page = journey.page
    open_app(page, serve(download_site).url + "#/models")
    return page


def test_download_verify_load_and_answer(app, models: ModelServer, files: dict[str, Path]) -> None:
    """A teacher downloads the small model once; it is checked, stored and answers."""
    found = download(app, TINY)
    wait_stored(found)
    size = files["tiny.task"].stat().st_size
    assert sorted(stored_folders(app)["tiny-download"]) == [f"c{i:06d}" for i in range(-(-size // CHUNK))] + ["ready.json"]
    expect(found.locator(".in-use")).to_have_text("In use")  # the first model is used at once
    app.get_by_role("link", name="Chat", exact=True).click()
    expect(app.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(app, "Hello")) == "done"
    assert models.range_starts("tiny.task") == [0]


def test_drops_resume_from_the_stored_chunk(app, models: ModelServer, journey: Journey) -> None:
    """The connection drops three times mid-download; each time it resumes where it was."""
    drops = [100_000, 250_000, 400_000]
    models.throttle(400_000)  # bytes arrive in pieces, as on a real network
    models.drop_at("tiny.task", drops)
    wait_stored(download(app, TINY))
    starts = models.range_starts("tiny.task")
    assert len(starts) == 4, starts
    assert starts[0] == 0
    for start, drop in zip(starts[1:], drops, strict=True):
        assert start % CHUNK == 0 and start <= drop, (starts, drops)
    assert starts == sorted(starts) and starts[-1] > 0, starts
    assert journey.allow("ERR_CONTENT_LENGTH_MISMATCH") == len(drops)  # Chromium logs each drop


def test_reload_mid_download_resumes(app, models: ModelServer) -> None:
    """The tablet reloads (or the app is closed) mid-download; it picks up where it stopped."""
    models.throttle(60_000)
    found = download(app, TINY)
    app.wait_for_function("document.querySelector('.model-card progress')?.value >= 30", timeout=60_000)
    app.reload()
    models.throttle(None)
    wait_stored(card(app, TINY))
    starts = models.range_starts("tiny.task")
    assert starts[0] == 0 and len(starts) >= 2 and starts[-1] >= CHUNK, (starts, models.log, app.locator("#catalogue").inner_text())


def test_wrong_bytes_are_rejected(app, models: ModelServer) -> None:
    """A proxy mangles the file: the app refuses it, says so, and keeps nothing."""
    models.corrupt("tiny.task")
    found = download(app, TINY)
    expect(found.get_by_role("alert")).to_contain_text("does not match the expected checksum", timeout=60_000)
    expect(found.get_by_role("button", name="Use this model")).to_have_count(0)
    expect(found.get_by_role("button", name="Try again")).to_be_visible()
    assert "tiny-download" not in stored_folders(app)


def test_quota_too_small_is_said_before_downloading(app, models: ModelServer, journey: Journey) -> None:
    """A tablet with little free space is told before any byte is fetched."""
    session = app.context.new_cdp_session(app)
    origin = app.evaluate("location.origin")
    usage = session.send("Storage.getUsageAndQuota", {"origin": origin})["usage"]
    session.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": usage + 200_000})
    found = download(app, TINY)
    expect(found.get_by_role("alert")).to_contain_text("Not enough storage")
    assert models.range_starts("tiny.task") == []
    assert "tiny-download" not in stored_folders(app)
