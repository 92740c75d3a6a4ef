"""A teacher on a tablet: the empty chat's use cases, the Install button, a keyboard-only
journey, screenshots in both orientations and themes (looked at, kept in test-artifacts/), touch
targets, the composer above the on-screen keyboard, and an axe accessibility check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.chatting import open_chat, wait_final
from tests.browser.conftest import Journey, record, wait_ready
from tests.browser.test_chat_files import export_file, import_text
from tests.browser.test_chat_files import record as conversation
from tests.browser.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"landscape": (1024, 768), "portrait": (768, 1024)}


@pytest.fixture
def tablet(browser: Browser) -> Iterator[tuple[BrowserContext, Journey]]:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    journey = record(context.new_page(), context)
    yield context, journey
    context.close()
    assert journey.errors == [], "console errors"
    assert journey.foreign_requests() == [], "requests left 127.0.0.1"


def starter(page: Page, title: str):
    card = page.locator("details.starter").filter(has_text=title)
    card.locator("summary").click()
    return card


def test_use_cases_on_the_empty_chat(tiny_site: Path, serve, journey: Journey, tmp_path: Path) -> None:
    """Summarize a note opened from a file (read here), ask about a long document (the part used
    is named), and start a tutoring chat that stays a tutoring chat after a reload."""
    page = journey.page
    url = serve(tiny_site).url
    open_chat(page, url)
    note = tmp_path / "lesson.md"
    note.write_text("# Water cycle\n\nWater evaporates, condenses into clouds and falls as rain.\n")
    card = starter(page, "Summarize a note")
    card.locator('input[type="file"]').set_input_files(note)
    expect(card.get_by_label("Your note")).to_have_value(note.read_text())
    card.get_by_role("button", name="Summarize", exact=True).click()
    expect(page.locator("article.msg.user").first).to_contain_text("falls as rain")
    assert wait_final(page.locator("article.msg.model").first) == "done"

    page.get_by_role("button", name="New chat").click()
    filler = " ".join(f"Sentence {i} is about farming and crops." for i in range(120))
    document = f"{filler}\n\nThe volcano Teide is on Tenerife.\n\n{filler}"
    card = starter(page, "Ask about a document")
    card.get_by_label("The document").fill(document)
    card.get_by_label("Your question").fill("Where is the volcano Teide?")
    card.get_by_role("button", name="Ask", exact=True).click()
    question = page.locator("article.msg.user").first
    expect(question).to_contain_text("The volcano Teide is on Tenerife.")
    expect(question).to_contain_text("part ")
    assert wait_final(page.locator("article.msg.model").first) == "done"

    page.get_by_role("button", name="New chat").click()
    card = starter(page, "Explain step by step")
    card.get_by_label("What do you want to understand?").fill("fractions")
    card.get_by_role("button", name="Start tutoring").click()
    expect(page.locator(".chat-head")).to_contain_text("Tutor mode")
    assert wait_final(page.locator("article.msg.model").first) == "done"
    page.wait_for_timeout(300)  # the save is asynchronous
    page.reload()
    wait_ready(page)
    expect(page.locator(".chat-head")).to_contain_text("Tutor mode")
    expect(page.locator("article.msg.user").first).to_contain_text("fractions")


OFFER = """() => {
  window.__prompted = 0;
  const offer = new Event('beforeinstallprompt', {cancelable: true});
  offer.prompt = async () => { window.__prompted += 1; };
  offer.userChoice = Promise.resolve({outcome: 'accepted'});
  dispatchEvent(offer);
}"""


def test_install_button_appears_when_the_browser_offers_it(tiny_site: Path, serve, journey: Journey) -> None:
    """When the browser offers installation, Install shows; pressing it opens the browser's
    dialog once and the button goes away."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    expect(page.get_by_role("button", name="Install app")).to_have_count(0)
    page.evaluate(OFFER)
    page.get_by_role("button", name="Install app").click()
    wait_until(page, "window.__prompted === 1")
    expect(page.get_by_role("button", name="Install app")).to_have_count(0)


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring(page: Page) -> str:
    return page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")


def test_keyboard_only_journey(tiny_site: Path, serve, journey: Journey) -> None:
    """Without a mouse or touch: write and send, stop an answer, start a new chat and reach
    Settings, always seeing where the focus is."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    tab_to(page, "#message")
    page.keyboard.type("Tell me a long story about rivers")
    page.keyboard.press("Enter")
    answer = page.locator("article.msg.model").first
    expect(answer).to_have_attribute("data-status", "streaming", timeout=120_000)
    tab_to(page, 'button[data-action="stop"]')
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    assert wait_final(answer) in ("stopped", "done")
    tab_to(page, 'button[data-action="new-chat"]')
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    expect(page.locator("article.msg")).to_have_count(0)
    tab_to(page, 'nav a[data-route="settings"]')
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA findings on the page now."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # not a <script>: the app's CSP forbids inline ones
        page.evaluate(AXE.read_text() + "\n;true")
    found = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})
              .then((r) => r.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`))"""
    )
    return list(found)


def touch_targets_too_small(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('button, a, summary, select, input:not([type=file]):not([type=hidden]), label.button, textarea')]
            .filter((e) => e.offsetParent !== null && !e.closest('.sr-only'))
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < 44 && !(e.matches('input[type=radio], input[type=checkbox]') && e.closest('label')?.getBoundingClientRect().height >= 44))
            .map(([e, r]) => `${e.tagName} ${e.textContent.trim().slice(0, 30)} ${Math.round(r.height)}px`)"""
    )


def test_tablet_screens_are_accessible_in_both_orientations_and_themes(
    tiny_site: Path, serve, tablet: tuple[BrowserContext, Journey], tmp_path: Path
) -> None:
    """The chat at 1024×768 and 768×1024, light and dark: nothing overflows sideways, every
    control is at least 44 px tall, axe finds nothing serious, and the composer stays in view
    when the on-screen keyboard takes half the screen. Screenshots go to test-artifacts/."""
    _context, journey = tablet
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    answer = "Steps:\n\n1. Add the numbers.\n2. Divide.\n\n```python\nprint(sum([1, 2]) / 2)\n```\n"
    chat = conversation("demo", "Averages", [("user", "How do I find an average?"), ("model", answer)])
    import_text(page, tmp_path, "demo.json", export_file([chat]))
    page.locator("details.library .open").filter(has_text="Averages").click()
    expect(page.locator("article.msg.model .hljs").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(200)
            page.screenshot(path=str(ARTIFACTS / f"chat-{name}-{theme}.png"))
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
                f"{name} {theme} overflows"
            )
            assert touch_targets_too_small(page) == [], f"{name} {theme}"
            assert violations(page) == [], f"{name} {theme}"
    page.get_by_role("button", name="New chat").click()
    page.locator("details.starter").first.locator("summary").click()
    page.screenshot(path=str(ARTIFACTS / "chat-empty-portrait-dark.png"))
    assert violations(page) == []
    page.set_viewport_size({"width": 768, "height": 560})  # the on-screen keyboard is up
    page.get_by_role("textbox", name="Message").focus()
    box = page.locator("form.composer").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 560
    for route in ("settings", "models", "study"):
        page.goto(page.url.split("#")[0] + f"#/{route}")
        page.wait_for_timeout(300)
        assert violations(page) == [], route
        assert touch_targets_too_small(page) == [], route
