"""A model-file HTTP server for browser download tests, with faults the tests switch on.

It owns serving named files from disk on 127.0.0.1 (GET, HEAD, byte ranges, CORS for a page on
another port), recording every request it answers, and the faults a download must survive:
connections cut at chosen byte offsets, corrupted bodies, ignored Range headers, a slow link and
a captive portal (every GET answers an HTML sign-in page). It also has Hugging Face's layout:
/<owner>/<repo>/resolve/<rev>/<name> is the file, /blob/ its HTML page, and
/api/models/<owner>/<repo>/revision/<rev> answers the Hub's model API: each file's LFS sha256 and size.
Stdlib only (http.server + threading), so the unit tests can prove it without a browser.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

PIECE = 64 * 1024
CORRUPT_FROM = 4096  # corrupt() spares the head, so the bytes still start like a model
THROTTLED_PIECE = 16 * 1024
_INVERT = bytes(range(255, -1, -1))  # b ^ 0xFF == 255 - b
_API = re.compile(r"^/api/models/[^/]+/[^/]+/revision/[^/]+$")
_HUB = re.compile(r"^/[^/]+/[^/]+/(resolve|blob)/[^/]+/(.+)$")
PORTAL_PAGE = b"<!doctype html><title>SchoolWiFi</title><p>Sign in to use the network.</p>"
BLOB_PAGE = b"<!doctype html><title>model file</title><p>A page about the file, not the file.</p>"
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d+)\s*-\s*(\d*)\s*")
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Range, Content-Length, Accept-Ranges, ETag",
}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Range",
    "Access-Control-Max-Age": "0",
}
_ALWAYS = {
    "Accept-Ranges": "bytes",
    "Content-Type": "application/octet-stream",
    "Cache-Control": "no-store",
    "Connection": "close",
}


@dataclass(frozen=True)
class Hit:
    """One answered request: path is the URL path (unquoted, no query); range_start is None without Range."""

    method: str
    path: str
    range_start: int | None
    status: int


@dataclass
class _Faults:
    drops: list[int] = field(default_factory=list)
    corrupt: bool = False
    ignore_range: bool = False


def parse_range(header: str | None) -> tuple[int, int | None] | None:
    """`bytes=N-` or `bytes=N-M` as (N, M or None); anything else (or M < N) as no range."""
    match = _RANGE.fullmatch(header or "")
    if match is None:
        return None
    first, last = int(match[1]), int(match[2]) if match[2] else None
    return None if last is not None and last < first else (first, last)


def etag(path: Path) -> str:
    stat = path.stat()
    digest = hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    return f'"{digest[:32]}"'


class ModelServer:
    """Serves `files` (name -> file on disk) at /<name> on 127.0.0.1; start() it, stop() it."""

    def __init__(self, files: dict[str, Path]) -> None:
        self._files = dict(files)
        self._faults: dict[str, _Faults] = {}
        self._rate: int | None = None
        self._portal = False
        self._facts: dict[str, tuple[str, int]] = {}  # name -> (sha256, size) the API says instead
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None
        self.log: list[Hit] = []
        self.port = 0
        self.origin = ""

    def start(self) -> ModelServer:
        self._httpd = _Httpd(self)
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="modelserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (new connections are refused) and end any body still being sent."""
        self._stopped.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def url(self, name: str) -> str:
        return f"{self.origin}/{quote(name)}"

    def add(self, name: str, path: Path) -> None:
        with self._lock:
            self._files[name] = path

    def range_starts(self, name: str) -> list[int]:
        """The start (0 without a Range header) each GET of /name asked for, in order."""
        with self._lock:
            return [
                hit.range_start or 0 for hit in self.log if hit.method == "GET" and hit.path == f"/{name}"
            ]

    def drop_at(self, name: str, offsets: list[int]) -> None:
        """Replace the cut points of /name: each absolute offset cuts one GET whose body would pass it.

        That GET sends exactly the bytes before the offset (its headers promise more) and the
        connection is shut down; the offset is then spent. A GET starting at or past an offset
        discards it as stale.
        """
        with self._lock:
            self._faults.setdefault(name, _Faults()).drops = sorted(set(offsets))

    def corrupt(self, name: str, on: bool = True) -> None:
        """While on, bodies of /name are the file's bytes XOR 0xFF from offset CORRUPT_FROM on."""
        with self._lock:
            self._faults.setdefault(name, _Faults()).corrupt = on

    def ignore_range(self, name: str, on: bool = True) -> None:
        """While on, /name answers 200 with the whole file even when Range is sent."""
        with self._lock:
            self._faults.setdefault(name, _Faults()).ignore_range = on

    def portal(self, on: bool = True) -> None:
        """While on, every GET and HEAD answers 200 with a captive portal's HTML sign-in page."""
        with self._lock:
            self._portal = on

    def hub_says(self, name: str, sha: str | None = None, size: int = 0) -> None:
        """Make the model API state these LFS facts for /name (as if the Hub held another file);
        None: the true ones again."""
        with self._lock:
            if sha is None:
                self._facts.pop(name, None)
            else:
                self._facts[name] = (sha, size)

    def api_answer(self) -> bytes:
        """The model API's JSON: every served file with its LFS sha256 and size."""
        with self._lock:
            files, facts = dict(self._files), dict(self._facts)
        siblings = []
        for name, path in sorted(files.items()):
            sha, size = facts.get(name) or (_file_sha256(path), path.stat().st_size)
            siblings.append({"rfilename": name, "size": size, "lfs": {"sha256": sha, "size": size}})
        return json.dumps({"id": "litert-community/test", "siblings": siblings}).encode()

    def hub_url(
        self, name: str, page: bool = False, repo: str = "litert-community/test", rev: str = "main"
    ) -> str:
        """/name at Hugging Face's address of it: the file (resolve), or with `page` its /blob/ page."""
        return f"{self.origin}/{repo}/{'blob' if page else 'resolve'}/{rev}/{quote(name)}"

    def throttle(self, bytes_per_second: int | None) -> None:
        """Pace every body to about this rate (16 KB writes with sleeps between); None = full speed."""
        with self._lock:
            self._rate = bytes_per_second

    # The handler's side: everything below is called from request threads.

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)

    def _lookup(self, name: str) -> tuple[Path | None, _Faults]:
        with self._lock:
            faults = self._faults.get(name, _Faults())
            return self._files.get(name), _Faults(list(faults.drops), faults.corrupt, faults.ignore_range)

    def _take_drop(self, name: str, start: int, stop: int) -> int | None:
        """The cut for a body of bytes [start, stop), spending it and any stale offset <= start."""
        with self._lock:
            faults = self._faults.get(name)
            if faults is None:
                return None
            live = [offset for offset in faults.drops if offset > start]
            cut = next((offset for offset in live if offset < stop), None)
            faults.drops = [offset for offset in live if offset != cut]
            return cut

    def _pace(self) -> int | None:
        with self._lock:
            return None if self._stopped.is_set() else self._rate


def _file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_of(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    """A file's sha256, computed once per version of it (the real test model is large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _damaged(piece: bytes, at: int) -> bytes:
    """`piece` (file bytes from offset `at`) with every byte from CORRUPT_FROM on inverted."""
    keep = max(0, min(len(piece), CORRUPT_FROM - at))
    return piece[:keep] + piece[keep:].translate(_INVERT)


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, model: ModelServer) -> None:
        self.model = model
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Httpd

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_OPTIONS(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(204, {**_PREFLIGHT, "Content-Length": "0"}, None)

    def do_HEAD(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._serve(body=False)

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._serve(body=True)

    def _page(self, html: bytes, body: bool) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(html))}
        self._send(200, headers, None)
        if body:
            self.wfile.write(html)

    def _serve(self, body: bool) -> None:
        name = self._url_path().lstrip("/")
        if _API.match(self._url_path()):
            answer = self.server.model.api_answer()
            self._send(200, {"Content-Type": "application/json", "Content-Length": str(len(answer))}, None)
            return self.wfile.write(answer) if body else None
        hub = _HUB.match(self._url_path())
        if self.server.model._portal or (hub and hub[1] == "blob"):
            return self._page(PORTAL_PAGE if self.server.model._portal else BLOB_PAGE, body)
        name = hub[2] if hub else name
        path, faults = self.server.model._lookup(name)
        asked = parse_range(self.headers.get("Range"))
        range_start = asked[0] if asked else None
        if path is None:
            return self._send(404, {"Content-Length": "0"}, range_start)
        size, tag = path.stat().st_size, etag(path)
        if faults.ignore_range:
            asked = None
        if asked is not None and asked[0] >= size:
            headers = {"Content-Range": f"bytes */{size}", "Content-Length": "0", "ETag": tag}
            return self._send(416, headers, range_start)
        start, stop = (
            (0, size) if asked is None else (asked[0], size if asked[1] is None else min(size, asked[1] + 1))
        )
        headers = {"Content-Length": str(stop - start), "ETag": tag}
        if asked is not None:
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        self._send(200 if asked is None else 206, headers, range_start)
        if body:
            self._body(name, path, start, stop, faults.corrupt)

    def _body(self, name: str, path: Path, start: int, stop: int, corrupt: bool) -> None:
        """Send bytes [start, stop), or only those before a pending drop offset and then cut."""
        cut = self.server.model._take_drop(name, start, stop)
        self._copy(path, start, stop if cut is None else cut, corrupt)
        if cut is not None:
            self._cut()

    def _url_path(self) -> str:
        return unquote(urlsplit(self.path).path)

    def _send(self, status: int, headers: dict[str, str], range_start: int | None) -> None:
        self.server.model._record(Hit(self.command, self._url_path(), range_start, status))
        self.send_response(status)
        for key, value in {**_ALWAYS, **_CORS, **headers}.items():
            self.send_header(key, value)
        self.end_headers()

    def _copy(self, path: Path, start: int, stop: int, corrupt: bool) -> None:
        """Write bytes [start, stop) of path, 64 KB at a time, or 16 KB with sleeps when throttled."""
        with path.open("rb") as source:
            source.seek(start)
            left = stop - start
            while left > 0 and not self.server.model._stopped.is_set():
                rate = self.server.model._pace()
                piece = source.read(min(left, THROTTLED_PIECE if rate else PIECE))
                if not piece:
                    return
                self.wfile.write(_damaged(piece, stop - left) if corrupt else piece)
                left -= len(piece)
                if rate and left > 0:
                    time.sleep(len(piece) / rate)

    def _cut(self) -> None:
        """End the connection short of its Content-Length: the bytes written still arrive, then EOF."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
