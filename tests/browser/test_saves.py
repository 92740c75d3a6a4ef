"""Saves are durable, or the user is told: with the storage full a save is refused, the chat says
so and goes on working, and once there is room again the next save succeeds and survives a
reload (real Chromium, real IndexedDB, the quota set through DevTools)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import open_chat, send, wait_final
from tests.browser.conftest import Journey, wait_ready
from tests.browser.downloading import limit_quota
from tests.browser.waiting import wait_until

FULL = "Could not save this conversation: storage is full."
STORED_TEXTS = """() => new Promise((done) => {
  const open = indexedDB.open('IDBMap/@pyscript/tabula-chats');
  open.onsuccess = () => {
    const request = open.result.transaction('entries').objectStore('entries').getAll();
    request.onsuccess = () => { open.result.close(); done(request.result.join('\\n')); };
  };
})"""


def stored(page: Page) -> str:
    """Everything IndexedDB holds for the conversations, as one text."""
    return page.evaluate(STORED_TEXTS)


def test_a_save_refused_by_a_full_storage_is_told_and_the_next_one_survives_a_reload(
    tiny_site: Path, serve, journey: Journey
) -> None:
    """A field worker's tablet is full: the chat says this conversation is not saved and keeps
    answering; she frees space, writes again, and after a reload everything is there."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    # Before any write: IndexedDB trusts the room it last measured for 30 s, so a limit set
    # right after a save might only bite later.
    limit_quota(page, 0)
    assert wait_final(send(page, "Note the water level: high")) == "done"  # the chat goes on
    alert = page.locator("#notice .unsaved")
    expect(alert).to_contain_text(FULL)
    expect(alert).to_have_attribute("role", "alert")
    assert "water level" not in stored(page)
    assert wait_final(send(page, "Where is the clinic?")) == "done"
    expect(alert).to_contain_text(FULL)
    limit_quota(page, None)  # she deleted a model
    assert wait_final(send(page, "And the road is open")) == "done"
    expect(alert).to_have_count(0)
    wait_until(page, f"({STORED_TEXTS})().then((text) => text.includes('road is open'))", timeout=10_000)
    page.reload()
    wait_ready(page)
    users = page.locator("article.msg.user")
    expect(users).to_have_text(["Note the water level: high", "Where is the clinic?", "And the road is open"])
    expect(page.locator("#notice .unsaved")).to_have_count(0)
