"""App updates: a new build is offered, never forced, and after Reload the new Python runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Journey, Site, open_app, wait_offline_ready

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "build.py",
    "site_models.py",
    "devserver.py",
    "pyproject.toml",
    "package.json",
    "package-lock.json",
)
FOLDERS = ("py", "pwa", "service_worker")
MARKER = "Version two of the about page."


def copy_project(dest: Path) -> Path:
    """A scratch copy of the build inputs (node_modules linked, not copied)."""
    dest.mkdir()
    for name in SOURCES:
        shutil.copy(ROOT / name, dest / name)
    for name in FOLDERS:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def build_into(project: Path, out: Path) -> None:
    subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=project, check=True,
                   capture_output=True)  # fmt: skip


def test_new_version_is_offered_and_runs_after_reload(
    tmp_path: Path, serve: Callable[..., Site], journey: Journey
) -> None:
    """A teacher has the app open when we ship v2: she is offered Reload and then gets v2."""
    project, out = copy_project(tmp_path / "project"), tmp_path / "site"
    build_into(project, out)
    site = serve(out)
    page = journey.page
    open_app(page, site.url + "#/about")
    wait_offline_ready(page)
    v1 = page.evaluate("fetch('config.json').then((r) => r.json()).then((c) => c.version)")
    expect(page.locator("#banner")).to_be_hidden()

    pages = project / "py" / "tabula" / "views" / "pages.py"
    pages.write_text(pages.read_text().replace('ABOUT = """\n', f'ABOUT = """\n{MARKER}\n'))
    build_into(project, out)

    page.reload()  # the browser checks sw.js on navigation and installs v2 beside v1
    expect(page.locator("#view")).not_to_contain_text(MARKER)  # v1 still runs
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Update available", timeout=60_000)
    banner.get_by_role("button", name="Reload").click()
    expect(page.locator("#view")).to_contain_text(MARKER, timeout=120_000)
    assert page.evaluate("document.documentElement.dataset.tabula") == "ready"
    v2 = page.evaluate("fetch('config.json').then((r) => r.json()).then((c) => c.version)")
    assert v2 != v1
    caches = page.evaluate("caches.keys()")
    assert caches == [f"shell-{v2}"]
