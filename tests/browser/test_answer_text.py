"""Model text stays text: answers (and imported text) are cleaned by a strict DOMPurify policy of
their own, nothing inside them can trigger an app action but the renderer's own Copy buttons, and
their links open in a new tab without a way back to Tabula. Real DOMPurify in real Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Journey, Site, open_app
from tests.browser.test_chat_files import CODE, export_file, import_text, record
from tests.browser.test_conversations import library
from tests.browser.waiting import wait_until

# What a fooled renderer might hand over: everything an answer must never carry, around what it may.
HOSTILE = (
    '<p>Fine <strong>bold</strong> <em>it</em> <a href="https://example.org/">link</a></p>'
    '<form data-action="send"><input name="message" value="forged"><select><option>1</option></select>'
    '<textarea name="t">t</textarea><button type="submit">Go</button></form>'
    '<button type="button" data-action="new-chat">New</button><iframe></iframe><style>p{color:red}</style>'
    '<p data-action="delete-chat" data-id="x" data-foo="1" id="forged" style="color:red">para</p>'
    '<div class="code"><div class="code-bar"><span class="lang">py</span>'
    '<button type="button" class="copy">Copy</button></div><pre><code data-lang="py">x = 1</code></pre></div>'
    '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote>q</blockquote><h2>h</h2><hr>'
)
PAINT = """async ([html, strict]) => {
  const rich = await import(new URL("js/rich.js", document.baseURI).href);
  const box = document.createElement("div");
  if (strict) rich.paintText(box, html); else rich.paint(box, html);
  const all = (selector) => [...box.querySelectorAll(selector)];
  const text = box.querySelector("[data-md]") ?? box;
  return {
    forbidden: all("[data-md] :is(form, input, select, textarea, iframe, style)").length
      + (strict ? all("form, input, select, textarea, iframe, style").length : 0),
    buttons: [...text.querySelectorAll("button")].map((b) => b.outerHTML),
    actions: [...text.querySelectorAll("[data-action]")].map((e) => e.tagName),
    data: [...text.querySelectorAll("*")].flatMap((e) => Object.keys(e.dataset)),
    ids: [...text.querySelectorAll("[id], [style]")].length,
    kept: [...text.querySelectorAll("p, strong, em, a, ul, ol[start='3'], li, blockquote, h2, hr, .code-bar, pre code")]
      .length,
    view: all(":scope > form[data-action='send'] > input[name='message']").length,
  };
}"""


def painted(page: Page, html: str, strict: bool) -> dict:
    return page.evaluate(PAINT, [html, strict])


def test_model_text_gets_a_strict_policy_while_the_apps_views_keep_theirs(
    site: Site, journey: Journey
) -> None:
    """Markup in an answer's text (as if the renderer were fooled) loses forms, fields, buttons,
    frames, styles and every data-* but the code block's own; the same markup in the app's view
    around it keeps its form; what Markdown makes is all kept."""
    page = journey.page
    open_app(page, site.url + "#/chat")
    own_form = '<form data-action="send"><input name="message"></form>'
    for html, strict in ((f'{own_form}<div class="text" data-md>{HOSTILE}</div>', False), (HOSTILE, True)):
        result = painted(page, html, strict)  # strict: the streaming painter paints text alone
        assert result["forbidden"] == 0 and result["actions"] == [] and result["ids"] == 0
        assert result["buttons"] == ['<button type="button" class="copy">Copy</button>']
        assert sorted(set(result["data"])) == ["lang"]
        assert result["kept"] == 14
    assert painted(page, f'{own_form}<div class="text" data-md>{HOSTILE}</div>', strict=False)["view"] == 1
    # The page's Content-Security-Policy refuses the hostile inline styles as DOMPurify parses them
    # (a third wall); those refusals are the only console messages.
    assert journey.allow("Applying inline style violates the following Content Security Policy") > 0


def open_imported(page: Page, tmp_path: Path, url: str, answer: str) -> None:
    open_app(page, url + "#/chat")
    turns = [("user", "show me"), ("model", answer)]
    import_text(page, tmp_path, "answer.json", export_file([record("ans", "Answer", turns)]))
    library(page).get_by_role("button", name="Answer", exact=True).click()
    expect(page.locator("article.msg.model .text")).to_contain_text("Here")


def test_a_data_action_inside_an_answers_text_does_nothing_but_copy_still_works(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    """Elements with data-action that somehow sit inside an answer's text (put there behind the
    sanitizer's back) do nothing when clicked; the code block's own Copy button still copies."""
    page = journey.page
    url = serve(tiny_site).url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    open_imported(page, tmp_path, url, f"Here:\n\n```python\n{CODE}```\n\nand\n\n    ls -l\n")
    listed = library(page).locator(".conversations .open").all_inner_texts()
    page.evaluate(
        """() => {
          const text = document.querySelector("article.msg.model .text");
          text.insertAdjacentHTML("beforeend",
            '<button type="button" data-action="new-chat" id="forged">New</button>' +
            '<div data-action="delete-chat" data-id="ans"><span id="inner">delete</span></div>');
        }"""
    )
    page.locator("#forged").click()
    page.locator("#inner").click()
    page.locator("article.msg.model .code").nth(1).get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Code copied")).to_be_visible()
    wait_until(page, "navigator.clipboard.readText().then((t) => t === 'ls -l\\n')")
    expect(page.locator("article.msg")).to_have_count(2)  # no new chat
    expect(library(page).locator(".conversations .open")).to_have_text(listed)  # nothing deleted
    page.locator("article.msg.model .code").first.get_by_role("button", name="Copy").click()
    wait_until(page, "(code) => navigator.clipboard.readText().then((t) => t === code)", arg=CODE)


def test_links_in_answers_open_in_a_new_tab_without_an_opener(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    """Web links in an answer open in a new tab with rel="noopener noreferrer"; an in-app link
    (#/models) stays in the tab and works. A word with no space in it (an address, a model's
    run-on output) wraps inside the bubble instead of pushing it sideways (issue #23)."""
    page = journey.page
    run_on = "https://example.org/" + "averylongpath" * 40
    answer = f"Here: [site](https://example.org/page), [mail](mailto:teacher@example.org), [models](#/models). {run_on}"
    open_imported(page, tmp_path, serve(tiny_site).url, answer)
    bubble = page.locator("article.msg.model").first
    sizes = bubble.evaluate(
        "(e) => [e.scrollWidth, e.clientWidth, document.documentElement.scrollWidth, innerWidth]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    text = page.locator("article.msg.model .text")
    web = text.get_by_role("link", name="site")
    expect(web).to_have_attribute("href", "https://example.org/page")
    expect(web).to_have_attribute("target", "_blank")
    expect(web).to_have_attribute("rel", "noopener noreferrer")
    expect(text.get_by_role("link", name="mail")).to_have_attribute("href", "mailto:teacher@example.org")
    models = text.get_by_role("link", name="models")
    assert models.get_attribute("target") is None
    models.click()
    expect(page.get_by_role("heading", name="Models", exact=True)).to_be_visible()
    assert page.evaluate("location.hash") == "#/models"
