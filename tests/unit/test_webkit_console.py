"""What WebKit (every iPad browser) logged as errors on every load (issue #23): the CSP directive
manifest-src and the viewport key interactive-widget, both unknown to it. The policy leaves the
manifest to default-src; the key is added by js/theme.js outside WebKit only. The WebKit journey
(tests/browser/test_webkit.py) checks the console itself."""

from __future__ import annotations

from pathlib import Path

from site_policy import content_security_policy

ROOT = Path(__file__).resolve().parents[2]


def test_the_policy_names_no_directive_webkit_does_not_know() -> None:
    policy = {part.split()[0]: part.split()[1:] for part in content_security_policy([], "https://g.example").split("; ")}
    assert "manifest-src" not in policy
    assert policy["default-src"] == ["'self'"]  # what governs the manifest now


def test_the_viewport_key_is_added_only_outside_webkit() -> None:
    page = (ROOT / "pwa" / "index.html.j2").read_text()
    viewport = next(line for line in page.splitlines() if 'name="viewport"' in line)
    assert "interactive-widget" not in viewport
    script = (ROOT / "pwa" / "js" / "theme.js").read_text()
    assert 'navigator.vendor !== "Apple Computer, Inc."' in script and "interactive-widget=resizes-content" in script
