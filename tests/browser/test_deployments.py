"""Updates that strand no one: two deployments on one origin, an update with two windows open,
and an app left open that finds an update and never reloads mid-answer."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, send
from tests.browser.conftest import (
    Journey,
    Site,
    catalog_file,
    open_app,
    project_model,
    record,
    wait_offline_ready,
    wait_ready,
)
from tests.browser.test_upgrade import MARKER, build_into, copy_project, ship_v2, take_update
from tests.browser.waiting import wait_until

VERSION = "fetch('config.json').then((r) => r.json()).then((c) => c.version)"


def about(page: Page) -> None:
    page.get_by_role("link", name="About Tabula").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About Tabula")


def test_two_deployments_on_one_origin_both_start_offline(
    tmp_path: Path, built_site: Path, serve: Callable[..., Site], context: BrowserContext
) -> None:
    """user.github.io/tabula/ and user.github.io/tabula-beta/ (another version) are both installed
    on one tablet; with the network gone, each still starts, each its own version."""
    origin = tmp_path / "origin"
    shutil.copytree(built_site, origin / "tabula")
    ship_v2(copy_project(tmp_path / "project"), origin / "tabula-beta")
    site = serve(origin)
    base, page = site.url, context.new_page()
    journey = record(page, context)
    for path in ("tabula/", "tabula-beta/"):
        open_app(page, base + path + "#/chat")
        wait_offline_ready(page)
    site.stop()
    for path, beta in (("tabula/", False), ("tabula-beta/", True), ("tabula/", False)):
        open_app(page, base + path + "#/chat")
        about(page)
        if beta:
            expect(page.locator("#view")).to_contain_text(MARKER)
        else:
            expect(page.locator("#view")).not_to_contain_text(MARKER)
    assert journey.errors == [] and journey.foreign_requests() == []


def test_an_update_with_two_windows_open(
    tmp_path: Path, serve: Callable[..., Site], context: BrowserContext
) -> None:
    """A teacher has Tabula open in two windows when v2 ships and she takes it in one: the other
    says so at once and keeps running on its own version's files until she reloads it too."""
    project, out = copy_project(tmp_path / "project"), tmp_path / "site"
    build_into(project, out)
    site = serve(out)
    first, second = context.new_page(), context.new_page()
    journeys = [record(first, context), record(second, context)]
    open_app(first, site.url + "#/chat")
    wait_offline_ready(first)
    open_app(second, site.url + "#/chat")
    v1 = second.evaluate(VERSION)

    ship_v2(project, out)
    take_update(first)

    banner = second.locator("#banner")
    expect(banner).to_contain_text("updated in another window", timeout=60_000)
    assert second.evaluate(VERSION) == v1  # the old Python still gets the old version's files
    assert second.locator("#view").evaluate("(view) => view.inert")  # only Reload is live
    banner.get_by_role("button", name="Reload").click()
    second.get_by_role("link", name="About Tabula").click()
    expect(second.locator("#view")).to_contain_text(MARKER, timeout=120_000)
    v2 = second.evaluate(VERSION)
    assert v2 != v1
    shells = "caches.keys().then((names) => names.filter((n) => n.startsWith('shell-')))"
    wait_until(second, f"{shells}.then((names) => names.length === 1)", timeout=30_000)
    assert second.evaluate(shells) == [f"shell-{v2}@{site.url}"]
    for journey in journeys:
        assert journey.errors == [] and journey.foreign_requests() == []


PAGEHIDE = """() => addEventListener('pagehide', () => sessionStorage.setItem('answers at reload',
  [...document.querySelectorAll('article.msg.model')].map((a) => a.dataset.status).join()))"""


def test_an_app_left_open_finds_the_update_and_reloads_only_after_the_answer(
    tmp_path: Path, serve: Callable[..., Site], journey: Journey
) -> None:
    """The installed app has been open for days when v2 ships: shown again, it finds the update
    by itself; Reload pressed while an answer streams waits for the answer, then takes v2."""
    project, out = copy_project(tmp_path / "project"), tmp_path / "site"
    (tmp_path / "model").mkdir()
    model = project_model("tiny", tmp_path / "model")
    extra = ("--embed-model", str(model), "--catalog", str(catalog_file(tmp_path, [])))
    build_into(project, out, *extra)
    site, page = serve(out), journey.page
    open_chat(page, site.url)
    wait_offline_ready(page)
    ship_v2(project, out, *extra)

    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # shown again
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Update available", timeout=60_000)
    answer = send(page, "Write a long story")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=60_000)
    page.evaluate(PAGEHIDE)
    banner.get_by_role("button", name="Reload").click()
    expect(banner).to_contain_text("as soon as the work in progress is finished")
    page.wait_for_event("load", timeout=ENGINE_TIMEOUT_MS)  # the reload into v2
    wait_ready(page)
    # the page went away only once the answer was whole
    assert page.evaluate("sessionStorage.getItem('answers at reload')") == "done"
    about(page)
    expect(page.locator("#view")).to_contain_text(MARKER)  # and v2 runs
