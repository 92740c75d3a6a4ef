"""A small static server for the built site: right MIME types, HTTP Range, optional sub-path.

Used by `build.py --serve`, the browser tests and the benchmarks. It serves one folder at a
mount point (`/` or e.g. `/tabula/`), answers `Cache-Control: no-cache` so browsers revalidate,
and binds to 127.0.0.1 only. Not for production: GitHub Pages (or any static host) is.
"""

from __future__ import annotations

import functools
import re
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".task": "application/octet-stream",
    ".whl": "application/zip",
    ".json": "application/json",
}
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files under a mount prefix, with single byte ranges."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    mount = "/"
    isolated = False  # send COOP/COEP, so every page is cross-origin isolated from its first load

    def translate_path(self, path: str) -> str:
        """Map a URL under the mount point to a file; anything else to a missing path."""
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "\0missing")
        return super().translate_path("/" + path[len(self.mount) :])

    def end_headers(self) -> None:
        """Every answer asks the browser to revalidate and allows ranges."""
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Accept-Ranges", "bytes")
        if self.isolated:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def send_head(self):
        """Answer a Range request with 206 and the slice; otherwise behave as the base."""
        match = RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path.split("?")[0]))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = _bounds(match, size)
        if start >= size or start > end:
            self.send_error(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Slice(handle, end - start + 1)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests record requests in the browser instead."""


def _bounds(match: re.Match[str], size: int) -> tuple[int, int]:
    """Inclusive byte bounds of a `bytes=a-b` range."""
    first, last = match.groups()
    if not first:
        return max(size - int(last or 0), 0), size - 1
    return int(first), min(int(last) if last else size - 1, size - 1)


class _Slice:
    """A file object that yields at most `left` bytes (what copyfile reads)."""

    def __init__(self, handle, left: int) -> None:
        self.handle, self.left = handle, left

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def make_server(
    directory: Path, *, port: int = 0, mount: str = "/", isolated: bool = False
) -> ThreadingHTTPServer:
    """A server for `directory` at `mount` on 127.0.0.1 (port 0 picks a free one); `isolated`
    sends the cross-origin isolation headers with every answer (the benchmarks' threads)."""
    fields = {"mount": mount, "isolated": isolated}
    handler = functools.partial(type("Handler", (SiteHandler,), fields), directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def start_in_thread(directory: Path, *, mount: str = "/", isolated: bool = False) -> ThreadingHTTPServer:
    """Start a server in a daemon thread; stop it with .shutdown() and .server_close()."""
    server = make_server(directory, mount=mount, isolated=isolated)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_forever(directory: Path, *, port: int = 8000, mount: str = "/") -> None:
    """Serve until Ctrl-C, printing the address."""
    server = make_server(directory, port=port, mount=mount)
    print(f"Serving {directory} at http://127.0.0.1:{server.server_port}{mount}  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
