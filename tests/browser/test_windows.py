"""Two windows of one origin (two tabs, or the installed app and a tab): one engine and one
downloader between them, the other window says so plainly and takes over when asked, and
conversations saved in one appear in the other without either overwriting the other."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, send, wait_final
from tests.browser.conftest import Journey, open_app, record


def engine(page: Page):
    return page.get_by_role("status", name="Engine")


def route(page: Page):
    return page.get_by_role("status", name="Answers from")


def two_windows(url: str, context) -> tuple[Page, Page, Journey]:
    """The chat open in two windows of one profile: the first runs the engine (ready), the
    second says it runs elsewhere; one journey records both."""
    first = context.new_page()
    journey = record(first, context)
    open_chat(first, url)
    second = context.new_page()
    record(second, context).errors = journey.errors
    open_app(second, url + "#/chat")
    expect(second.locator("#banner")).to_contain_text("Tabula is open in another window")
    return first, second, journey


def test_two_windows_share_one_engine_and_the_second_takes_over_when_asked(
    tiny_site: Path, serve, context
) -> None:
    """With a cloud key set and private mode off, the window without the engine still never sends
    the chat (turns answered on the device) to the cloud: it says where the model runs."""
    first, second, journey = two_windows(serve(tiny_site).url, context)
    expect(route(second)).to_have_text("Unavailable · other window")
    expect(engine(second)).to_have_text("No model")
    assert wait_final(send(first, "Asked in the first window")) == "done"
    second.get_by_role("link", name="Settings", exact=True).click()
    second.get_by_label("Gemini API key").fill("AIzaTestKey-0123456789abcdefGHIJ")
    second.locator("form.cloud").get_by_role("button", name="Save cloud settings").click()
    expect(route(second)).to_have_text("Unavailable · other window")
    second.get_by_role("link", name="Chat", exact=True).click()
    refused = send(second, "Asked in the second window before taking over")
    assert wait_final(refused) == "failed"
    expect(refused).to_contain_text("The model is running in another Tabula window")
    assert journey.foreign_requests() == []  # nothing went to the cloud

    second.get_by_role("button", name="Use Tabula here").click()
    expect(engine(second)).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    expect(second.locator("#banner")).to_be_hidden()
    expect(first.locator("#banner")).to_contain_text("Tabula is open in another window")
    expect(engine(first)).to_have_text("No model")
    expect(route(first)).to_have_text("Unavailable · other window")
    assert wait_final(send(second, "Asked in the second window")) == "done"
    first.get_by_role("link", name="Models", exact=True).click()
    expect(first.locator("#banner")).to_contain_text("Tabula is open in another window")
    assert journey.errors == [] and journey.foreign_requests() == []


def conversations(page: Page):
    box = page.locator("details.library")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def test_a_conversation_saved_in_one_window_is_kept_by_the_other(tiny_site: Path, serve, context) -> None:
    """A teacher has the installed app and a tab open: what she asks in one is listed in the other
    at once, and continuing it there keeps every message from both, even written at once."""
    url = serve(tiny_site).url
    first = context.new_page()
    journey = record(first, context)
    open_chat(first, url)
    second = context.new_page()
    open_app(second, url + "#/chat")
    assert wait_final(send(first, "Volcanoes lesson")) == "done"
    box = conversations(second)
    expect(box.get_by_role("button", name="Volcanoes lesson", exact=True)).to_be_visible(timeout=10_000)
    box.get_by_role("button", name="Volcanoes lesson", exact=True).click()
    expect(second.locator("article.msg.user")).to_have_text(["Volcanoes lesson"])
    second.get_by_role("button", name="Use Tabula here").click()
    expect(engine(second)).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    lava = send(second, "And lava?")
    ash = send(first, "And ash?")  # written in the first window while the second's answer runs
    assert wait_final(ash) == "failed"  # the engine is in the other window: said so, nothing lost
    status = wait_final(lava)
    assert status == "done", lava.inner_text()
    both = ["Volcanoes lesson", "And lava?", "And ash?"]
    expect(second.locator("article.msg.user")).to_have_text(both, timeout=10_000)
    expect(first.locator("article.msg.user")).to_have_text(both, timeout=10_000)
    first.reload()
    expect(first.locator("article.msg.user")).to_have_text(both, timeout=60_000)
    assert journey.errors == [] and journey.foreign_requests() == []
