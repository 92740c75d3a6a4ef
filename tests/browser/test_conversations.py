"""Conversations are kept on the device: across reloads, a browser killed mid-answer, and they
can be found, renamed, deleted and brought back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, send, wait_final
from tests.browser.conftest import Journey, first_page, wait_ready
from tests.browser.waiting import wait_until

SAVED = """(count) => new Promise((done) => {
  const open = indexedDB.open('IDBMap/@pyscript/tabula-chats');
  open.onsuccess = () => {
    const request = open.result.transaction('entries').objectStore('entries').count();
    request.onsuccess = () => { open.result.close(); done(request.result === count); };
  };
})"""


def wait_saved(page: Page, count: int) -> None:
    """Saving is asynchronous: wait until IndexedDB holds `count` conversations."""
    wait_until(page, SAVED, arg=count, timeout=10_000)


def library(page: Page):
    box = page.locator("details.library")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def test_conversations_survive_reload_and_can_be_searched_renamed_deleted(
    tiny_site: Path, serve, journey: Journey
) -> None:
    """A teacher keeps two lessons' chats: they survive a reload, search finds one, rename sticks,
    delete asks for nothing but offers Undo, and Undo brings it back (one deleted mid-answer too)."""
    page = journey.page
    url = serve(tiny_site).url
    open_chat(page, url)
    assert wait_final(send(page, "Volcanoes lesson")) == "done"
    page.get_by_role("button", name="New chat").click()
    assert wait_final(send(page, "Rivers lesson")) == "done"
    wait_saved(page, 2)
    page.reload()
    wait_ready(page)
    expect(page.locator("article.msg.user")).to_have_text(["Rivers lesson"])
    box = library(page)
    expect(box.locator("summary")).to_have_text("Conversations (2)")
    box.get_by_role("searchbox").fill("volcano")
    box.get_by_role("button", name="Search").click()
    expect(box.locator(".conversations .open")).to_have_text(["Volcanoes lesson"])
    box.get_by_role("button", name="Volcanoes lesson", exact=True).click()
    expect(page.locator("article.msg.user")).to_have_text(["Volcanoes lesson"])
    box = library(page)
    box.get_by_role("button", name="Rename Volcanoes lesson").click()
    box.get_by_label("New name").fill("Geography: volcanoes")
    box.get_by_role("button", name="Save name").click()
    box.get_by_role("searchbox").fill("")
    box.get_by_role("button", name="Search").click()
    box.get_by_role("button", name="Delete Rivers lesson").click()
    expect(box.locator(".undo")).to_contain_text("Deleted “Rivers lesson”")
    expect(box.locator(".conversations .open")).to_have_text(["Geography: volcanoes"])
    box.get_by_role("button", name="Undo").click()
    expect(box.locator(".conversations .open")).to_have_count(2)
    wait_saved(page, 2)
    page.reload()
    wait_ready(page)
    box = library(page)
    expect(box.locator(".conversations .open")).to_have_text(["Rivers lesson", "Geography: volcanoes"])
    # Deleted while its answer is being written, then Undo: the answer comes back with its text,
    # ended (not "Waiting…" forever), and Regenerate asks again.
    answer = send(page, "Tell me a long story")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=ENGINE_TIMEOUT_MS)
    box = library(page)
    box.get_by_role("button", name="Delete Rivers lesson").click()
    box.get_by_role("button", name="Undo").click()
    box.get_by_role("button", name="Rivers lesson", exact=True).click()
    kept = page.locator("article.msg.model").last
    expect(kept).to_have_attribute("data-status", re.compile("^(stopped|done)$"))
    assert kept.locator(".text").inner_text().strip()
    page.get_by_role("button", name="Regenerate").click()
    again = page.locator("article.msg.model").last
    expect(again).to_have_attribute("data-status", "waiting")  # asked again: its turn comes
    again.get_by_role("button", name="Cancel").click()  # once the engine ends the old one (unseen)
    expect(again).to_have_attribute("data-status", "cancelled")


def test_an_answer_cut_by_a_killed_browser_is_kept(
    tiny_site: Path, serve, persistent, tmp_path: Path
) -> None:
    """The tablet's browser is killed while an answer is being written: on the next start the
    conversation is there with the partial answer, marked as interrupted, and the app works."""
    url = serve(tiny_site).url
    context = persistent(tmp_path / "profile")
    page = first_page(context)
    open_chat(page, url)
    answer = send(page, "Tell me a long story")
    expect(answer).to_have_attribute("data-status", "streaming", timeout=ENGINE_TIMEOUT_MS)
    page.wait_for_timeout(2500)  # the partial answer is saved about once a second
    partial = answer.locator(".text").inner_text()
    context.close()  # as if the browser were killed: no chance to finish or save on the way out
    context = persistent(tmp_path / "profile")
    page = first_page(context)
    open_chat(page, url)
    kept = page.locator("article.msg.model").first
    expect(kept).to_have_attribute("data-status", "stopped")
    expect(kept).to_contain_text("Interrupted")
    assert kept.locator(".text").inner_text()[:20] == partial[:20] and partial
    assert wait_final(send(page, "Hello again")) == "done"
