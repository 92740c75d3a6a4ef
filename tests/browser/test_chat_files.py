"""Conversations leave and come back as files the user holds: export one or all (JSON to import
again, Markdown to read), import checks the whole file first, and answers' code can be copied."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.chatting import open_chat, send, wait_final
from tests.browser.conftest import Journey, first_page
from tests.browser.test_cloud import TRAP
from tests.browser.test_conversations import library, wait_saved
from tests.browser.waiting import wait_until
from tests.browser.xss_payloads import EVIL, PAYLOADS

CODE = "def area(r):\n    return 3.14159 * r * r\n"


def record(cid: str, title: str, turns: list[tuple[str, str]], when: float = 1_700_000_000.0) -> dict:
    messages = [{"id": i + 1, "role": role, "text": text} for i, (role, text) in enumerate(turns)]
    return {
        "v": 1,
        "id": cid,
        "title": title,
        "named": True,
        "created": when,
        "updated": when,
        "messages": messages,
    }


def export_file(conversations: list[dict]) -> str:
    return json.dumps({"format": "tabula.conversations", "version": 1, "conversations": conversations})


def import_text(page: Page, tmp_path: Path, name: str, text: str | bytes) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    library(page).locator('input[data-action="import-chats"]').set_input_files(path)


def export(page: Page, which: str, fmt: str) -> str:
    box = library(page)
    box.locator(f'input[name="which"][value="{which}"]').check()
    box.locator(f'input[name="format"][value="{fmt}"]').check()
    with page.expect_download() as download:
        box.get_by_role("button", name="Export", exact=True).click()
    return Path(download.value.path()).read_text(encoding="utf-8")


def conversations_of(exported: str) -> list[dict]:
    return sorted(json.loads(exported)["conversations"], key=lambda c: c["id"])


def test_export_then_import_on_another_device_gives_the_same_conversations(
    tiny_site: Path, serve, persistent, tmp_path: Path
) -> None:
    """A teacher exports every chat from one tablet and imports the file on another: the same
    conversations, message for message; Markdown is there for reading."""
    url = serve(tiny_site).url
    first = first_page(persistent(tmp_path / "one"))
    open_chat(first, url)
    assert wait_final(send(first, "Fractions lesson")) == "done"
    first.get_by_role("button", name="New chat").click()
    assert wait_final(send(first, "Photosynthesis ¿qué es? 🌱")) == "done"
    wait_saved(first, 2)
    everything = export(first, "all", "json")
    markdown = export(first, "current", "md")
    assert "# Photosynthesis ¿qué es? 🌱" in markdown and "Fractions" not in markdown
    second = first_page(persistent(tmp_path / "two"))
    open_chat(second, url)
    import_text(second, tmp_path, "chats.json", everything)
    expect(second.get_by_role("status").filter(has_text="Imported 2 conversations from")).to_be_visible()
    wait_saved(second, 2)  # the empty new chat is not kept
    again = export(second, "all", "json")
    assert conversations_of(again) == conversations_of(everything)


BAD_FILES = {
    "notes.json": ("this is not json", "not a conversations file"),
    "newer.json": (
        json.dumps({"format": "tabula.conversations", "version": 2, "conversations": []}),
        "newer version",
    ),
    "other.json": (
        json.dumps({"format": "someone.else", "version": 1, "conversations": []}),
        "another program",
    ),
    "empty.json": (export_file([]), "no conversations"),
    "damaged.json": (export_file([{"v": 1, "id": "x", "title": 5, "messages": "no"}]), "damaged"),
    "binary.json": (bytes(range(256)) * 8, "cannot be imported"),
    "chat.md": ("# A chat\n\n**You:** hi", "for reading only"),
}


def test_bad_files_are_refused_with_a_reason_and_change_nothing(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    """Malformed, foreign, damaged and binary files each get a clear message; the saved
    conversations stay exactly as they were."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    import_text(page, tmp_path, "good.json", export_file([record("keep", "Keep me", [("user", "hello")])]))
    wait_saved(page, 1)
    before = export(page, "all", "json")
    listed = library(page).locator("summary").inner_text()
    for name, (content, reason) in BAD_FILES.items():
        import_text(page, tmp_path, name, content)
        expect(page.get_by_role("alert")).to_contain_text(reason)
        page.get_by_role("button", name="Dismiss").click()
    wait_saved(page, 1)
    assert conversations_of(export(page, "all", "json")) == conversations_of(before)
    expect(library(page).locator("summary")).to_have_text(listed)


def test_hostile_imported_text_runs_nothing_and_loads_nothing(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    """An imported file full of script, handlers, javascript: links, SVG, CSS and markdown tricks
    (in questions, answers and the title) shows as text: nothing runs, nothing leaves 127.0.0.1."""
    page = journey.page
    page.add_init_script(TRAP)
    open_chat(page, serve(tiny_site).url)
    turns = [(("user", "model")[i % 2], payload) for i, payload in enumerate(PAYLOADS)]
    hostile = record("evil", "<img src=x onerror=__xss('title')>", turns)
    import_text(page, tmp_path, "evil.json", export_file([hostile]))
    box = library(page)
    box.locator(".conversations .open").filter(has_text="onerror").click()
    expect(page.locator("article.msg")).to_have_count(len(PAYLOADS))
    for link in page.locator("article.msg a").all():
        link.hover()
        link.click(modifiers=["Control"], no_wait_after=True, timeout=10_000)  # a busy 2-core CI starves frames
    page.wait_for_timeout(500)
    assert page.evaluate("window.__hits") == []
    assert page.locator("#view script, #view img, #view iframe, #view style, #view object").count() == 0
    assert not [url for url in journey.requests if EVIL.removeprefix("http://") in url]
    expect(page.locator("article.msg").first).to_contain_text("<script>__xss('script')</script>")


def test_code_in_an_answer_is_coloured_and_copies_exactly(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    """A student's answer has a Python snippet: it is coloured, and Copy puts exactly the code on
    the clipboard."""
    page = journey.page
    url = serve(tiny_site).url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    open_chat(page, url)
    answer = f"Here is the function:\n\n```python\n{CODE}```\n\nAnd a shell line:\n\n    ls -l\n"
    import_text(
        page,
        tmp_path,
        "code.json",
        export_file([record("code", "Area", [("user", "area?"), ("model", answer)])]),
    )
    library(page).get_by_role("button", name="Area", exact=True).click()
    block = page.locator("article.msg.model .code").first
    expect(block.locator(".lang")).to_have_text("python")
    expect(block.locator("code.hljs .hljs-keyword").first).to_have_text("def")
    block.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Code copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == CODE
    page.locator("article.msg.model .code").nth(1).get_by_role("button", name="Copy").click()
    wait_until(page, "navigator.clipboard.readText().then((t) => t === 'ls -l\\n')")
