"""Helpers for model-download journeys: a model server on 127.0.0.1, sites whose catalogue
points at it, and the Models page's controls."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import CDPSession, Locator, Page, expect

import build
from site_models import sha256
from tests.browser.conftest import (
    MODELS,
    Journey,
    Site,
    catalog_file,
    open_app,
    project_model,
    wait_offline_ready,
)
from tests.browser.modelserver import ModelServer
from tests.browser.waiting import wait_until

TINY = "Tiny test model"
REAL = "Gemma 3 270M (base)"
CHUNK = 65_536  # small chunks, so the tiny model (~450 KB) spans several
DOWNLOAD_TIMEOUT_MS = 120_000


def model_files(folder: Path) -> dict[str, Path]:
    """The project's test models (built on first use), by file name."""
    return {f"{name}.task": project_model(name, folder).resolve() for name in ("tiny", "real")}


HUB_TINY = "Tiny from the Hub"


def records(server: ModelServer, files: dict[str, Path]) -> list[dict]:
    """Catalogue records for the test models, served by `server`, with their true checksums."""
    return [
        {
            "id": f"{name.removesuffix('.task')}-download",
            **MODELS[name.removesuffix(".task")],
            "url": server.url(name),
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
        }
        for name, path in files.items()
    ]


def hub_record(server: ModelServer, files: dict[str, Path]) -> dict:
    """The tiny model once more, at its Hub address with no checksum (the app asks the Hub's API)."""
    size = files["tiny.task"].stat().st_size
    return {"id": "hub-tiny", **MODELS["tiny"], "label": HUB_TINY, "url": server.hub_url("tiny.task"),
            "bytes": size, "sha256": ""}  # fmt: skip


def build_download_site(folder: Path, server: ModelServer, files: dict[str, Path]) -> Path:
    """A site with no embedded model whose catalogue downloads from `server` (and the Hub record)."""
    catalog = catalog_file(folder, [*records(server, files), hub_record(server, files)])
    return build.build(folder / "_site", catalog=catalog, chunk=CHUNK)


def card(page: Page, label: str) -> Locator:
    return page.locator(".model-card").filter(has_text=label)


def download(page: Page, label: str) -> Locator:
    """Press the model's Download button on the Models page; return its card."""
    found = card(page, label)
    found.get_by_role("button", name="Download").click()
    return found


def wait_stored(found: Locator, timeout: float = DOWNLOAD_TIMEOUT_MS) -> None:
    expect(found.locator(".stored")).to_have_text("On this device · works offline", timeout=timeout)


def wait_progress(page: Page, percent: int = 30) -> None:
    """Wait until the download on the Models page is at least `percent` done."""
    wait_until(page, f"document.querySelector('.model-card progress')?.value >= {percent}", timeout=60_000)


_QUOTA_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


def limit_quota(page: Page, room: int | None) -> None:
    """Leave `room` bytes of storage above what the site uses now (DevTools); None: no limit.

    The DevTools session stays open for the page's life: Chromium (156) clears a quota override
    as soon as the session that set it detaches."""
    session = _QUOTA_SESSIONS.get(page) or page.context.new_cdp_session(page)
    _QUOTA_SESSIONS[page] = session
    origin = page.evaluate("location.origin")
    if room is None:
        session.send("Storage.overrideQuotaForOrigin", {"origin": origin})
    else:
        usage = session.send("Storage.getUsageAndQuota", {"origin": origin})["usage"]
        session.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": usage + room})
    assert session.send("Storage.getUsageAndQuota", {"origin": origin})["overrideActive"] is (
        room is not None
    )


def stored_folders(page: Page) -> dict[str, list[str]]:
    """What OPFS holds: {model folder: [file names]}."""
    return page.evaluate(
        """async () => {
          const root = await navigator.storage.getDirectory();
          const models = await root.getDirectoryHandle('models', {create: true});
          const out = {};
          for await (const [name, dir] of models.entries()) {
            out[name] = [];
            for await (const [file] of dir.entries()) out[name].push(file);
          }
          return out;
        }"""
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return model_files(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def served_models(files: dict[str, Path]) -> Iterator[ModelServer]:
    with ModelServer(files).start() as started:
        yield started


@pytest.fixture
def model_server(served_models: ModelServer) -> ModelServer:
    """The module's model server with no faults and an empty log."""
    for name in ("tiny.task", "real.task"):
        served_models.drop_at(name, [])
        served_models.corrupt(name, False)
        served_models.ignore_range(name, False)
    served_models.throttle(None)
    served_models.portal(False)
    served_models.hub_says("tiny.task")
    served_models.log.clear()
    return served_models


@pytest.fixture(scope="module")
def download_site(
    tmp_path_factory: pytest.TempPathFactory, served_models: ModelServer, files: dict[str, Path]
) -> Path:
    return build_download_site(tmp_path_factory.mktemp("download-site"), served_models, files)


@pytest.fixture
def app(download_site: Path, serve: Callable[..., Site], journey: Journey):
    page = journey.page
    open_app(page, serve(download_site).url + "#/models")
    return page


def installed_with_tiny(
    tmp_path: Path, files: dict[str, Path], serve, page: Page
) -> tuple[ModelServer, Site]:
    """A site of its own and a model server of its own; the app installed offline in `page`
    and the tiny model downloaded and verified. The caller stops what it needs to."""
    server = ModelServer(files).start()
    site = serve(build_download_site(tmp_path, server, files))
    open_app(page, site.url + "#/models")
    wait_offline_ready(page)
    wait_stored(download(page, TINY))
    return server, site
