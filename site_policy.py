"""What the build knows about where the page may connect: the Content-Security-Policy meta tag
and the list of model hosts the app checks custom addresses against.

Static hosts cannot send headers, so the policy is a <meta> tag. Scripts come only from the site
('wasm-unsafe-eval' lets Pyodide and MediaPipe compile their WebAssembly; 'unsafe-eval' is there
only because PyScript builds its hooks with Function()); connections go only to
the site, the model hosts (the catalogue's origins, Hugging Face and its download CDN, and any
--model-host) and the Gemini API origin. A meta policy cannot be relaxed without a reload, so
the cloud origin is always listed; private mode (the default) is what guarantees no request
reaches it, and the privacy tests prove that. The document readers' workers (pwa/js/doc_reader.js
and PDF.js's own worker nested in it) are site scripts, so 'self' covers them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

HUGGING_FACE = ("https://huggingface.co", "https://*.huggingface.co", "https://*.hf.co")


def origin(url: str) -> str:
    """scheme://host[:port] of `url` ("" when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def model_hosts(records: list[dict], extra: list[str]) -> list[str]:
    """Origins models may be downloaded from: Hugging Face, the catalogue's, and `extra`."""
    found = [origin(r.get("url", "")) for r in records] + [origin(e) or e for e in extra]
    return sorted({*HUGGING_FACE, *(o for o in found if o)})


def content_security_policy(hosts: list[str], cloud_base: str) -> str:
    """The policy for index.html (no inline script or style attribute anywhere in the app)."""
    connect = " ".join(["'self'", *hosts, origin(cloud_base)])
    return "; ".join(
        (
            "default-src 'self'",
            # PyScript 0.7.31 composes its plugin hooks with Function(): without 'unsafe-eval'
            # it cannot start. Scripts still come only from the site; none is inline.
            "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",  # a voice note's player: its stored WAV (pwa/js/media.js)
            "font-src 'self'",
            f"connect-src {connect}",
            "worker-src 'self' blob:",
            # No manifest-src: default-src 'self' covers the manifest the same way in Chromium and
            # Firefox, and WebKit logs an unrecognized directive for it on every load.
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'none'",
        )
    )
