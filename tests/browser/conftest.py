"""Browser-test harness: build the site once, serve it on 127.0.0.1, drive real Chromium.

A browser is found the way users have one: Playwright's own Chromium where it is installed,
else Debian's /usr/bin/chromium (`apt-get install chromium`). Every `page` fixture records the
console and every request, and fails the test on a console error or on any request that is
not to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

import build
from devserver import start_in_thread
from tests.browser.waiting import wait_until

pytestmark = pytest.mark.browser
ARGS = [
    "--no-sandbox",
    "--enable-unsafe-webgpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",  # a microphone for Record (test_attachments.py)
    "--use-fake-ui-for-media-stream",
]
BOOT_TIMEOUT_MS = 120_000


def chromium_executable(playwright: Playwright) -> str | None:
    """None to use Playwright's own Chromium, else the system one."""
    if Path(playwright.chromium.executable_path).is_file():
        return None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("No Chromium: run `playwright install chromium` or `apt-get install chromium`")


@dataclass
class Site:
    """A served copy of a built site."""

    root: Path
    mount: str = "/"
    server: object = None

    def start(self) -> Site:
        self.server = start_in_thread(self.root, mount=self.mount)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{self.mount}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@dataclass
class Journey:
    """A page plus everything it logged and requested."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def allow(self, text: str) -> int:
        """Forget console errors containing `text` that the test caused on purpose; how many."""
        kept = [e for e in self.errors if text not in e]
        count, self.errors[:] = len(self.errors) - len(kept), kept
        return count

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in (None, "127.0.0.1")
                and not u.startswith(("data:", "blob:"))]  # fmt: skip


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per session from the working tree."""
    return build.build(tmp_path_factory.mktemp("site") / "_site")


@pytest.fixture
def serve() -> Iterator[Callable[..., Site]]:
    """serve(root, mount='/') starts a server; all are stopped after the test."""
    sites: list[Site] = []

    def start(root: Path, mount: str = "/") -> Site:
        sites.append(Site(root, mount).start())
        return sites[-1]

    yield start
    for site in sites:
        site.stop()


@pytest.fixture
def site(built_site: Path, serve: Callable[..., Site]) -> Site:
    return serve(built_site)


expect.set_options(timeout=15_000)  # two test processes on two cores: a repaint can take seconds


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Before the test processes start (pyproject's `-n 2`): make once what they would race to
    make, node_modules and the browser wheels, by a throwaway build; each process then only reads
    them (the test models are built under a lock: tests/models/build_models.py)."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    with tempfile.TemporaryDirectory() as folder:
        build.build(Path(folder) / "_site")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_executable(playwright), args=ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def no_webgpu_browser(playwright: Playwright) -> Iterator[Browser]:
    """A second browser with WebGPU switched off (navigator.gpu.requestAdapter() gives no
    adapter): a device where only the CPU engine can run models."""
    args = [a for a in ARGS if a != "--enable-unsafe-webgpu"] + ["--disable-features=WebGPU"]
    browser = playwright.chromium.launch(executable_path=chromium_executable(playwright), args=args)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(30_000)  # two test processes on two cores: frames come late
    yield context
    context.close()


def record(page: Page, context: BrowserContext) -> Journey:
    """Start recording console errors and requests of `page` (and its service worker)."""
    journey = Journey(page)
    page.on("console", lambda m: m.type == "error" and journey.errors.append(m.text))
    page.on("pageerror", lambda e: journey.errors.append(str(e)))
    context.on("request", lambda r: journey.requests.append(r.url))
    return journey


@pytest.fixture
def journey(context: BrowserContext) -> Iterator[Journey]:
    """A recorded page; the test fails on console errors or off-origin requests."""
    journey = record(context.new_page(), context)
    yield journey
    assert journey.errors == [], "console errors"
    assert journey.foreign_requests() == [], "requests left 127.0.0.1"


def open_app(page: Page, url: str) -> None:
    """Go to `url` and wait until Python has mounted the app."""
    page.goto(url)
    wait_ready(page)


def wait_ready(page: Page) -> None:
    wait_until(page, "document.documentElement.dataset.tabula !== 'booting'", timeout=BOOT_TIMEOUT_MS)
    state = page.evaluate("document.documentElement.dataset.tabula")
    assert state == "ready", page.inner_text("#view")


def wait_offline_ready(page: Page) -> None:
    """Wait until the service worker has precached the shell and controls the page."""
    page.evaluate(
        """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ||
             new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok)))"""
    )


@pytest.fixture
def persistent(playwright: Playwright) -> Iterator[Callable[..., BrowserContext]]:
    """persistent(profile, **options) launches Chromium on a real (non-incognito) profile."""
    opened: list[BrowserContext] = []

    def launch(profile: Path, **options: object) -> BrowserContext:
        executable = chromium_executable(playwright)
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=executable, args=ARGS, **options
        )
        opened.append(context)
        return context

    yield launch
    for context in opened:
        with contextlib.suppress(Exception):
            context.close()


def first_page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else context.new_page()


MODELS = {
    "tiny": {"label": "Tiny test model", "family": "gemma3", "max_tokens": 256},
    "real": {"label": "Gemma 3 270M (base)", "family": "completion", "max_tokens": 256},
}


def project_path(which: str) -> Path:
    """The project-built test model `which` (tiny, real, tiny-gguf, real-gguf; built on first use)."""
    script = Path(__file__).resolve().parents[1] / "models" / "build_models.py"
    done = subprocess.run(
        [sys.executable, str(script), "--print-path", which], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"building the {which} test model failed:\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip())


def project_model(which: str, folder: Path) -> Path:
    """The project-built .task test model `which`, linked into `folder` with its catalogue sidecar."""
    link = folder / f"{which}.task"
    link.symlink_to(project_path(which))
    (folder / f"{which}.task.json").write_text(json.dumps(MODELS[which]))
    return link


def catalog_file(folder: Path, records: list[dict]) -> Path:
    """A --catalog file listing `records` (an empty list: no downloadable models)."""
    path = folder / "catalog.json"
    path.write_text(json.dumps(records))
    return path


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site with the tiny random Gemma-3-architecture model embedded (and nothing to download)."""
    folder = tmp_path_factory.mktemp("tiny-model")
    embedded = [project_model("tiny", folder)]
    return build.build(folder / "_site", models=embedded, catalog=catalog_file(folder, []))


# Model-download fixtures (a model server on 127.0.0.1 and a site that downloads from it).
from tests.browser.downloading import app, download_site, files, model_server, served_models  # noqa: E402, F401
