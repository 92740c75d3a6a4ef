"""A fake Google Gemini API for browser tests of a page that calls it, speaking the real wire format.

It owns answering generateContent and streamGenerateContent on 127.0.0.1 the way
generativelanguage.googleapis.com does: GenerateContentResponse JSON, `?alt=sse` event streams
(`data: {json}` + CRLF CRLF, HTTP/1.1 chunked), the `x-goog-api-key` check with Google's error
bodies, and CORS for a page on another port. It records every request it answers and injects the
faults a client must survive: Google errors (429, 500, 503...), slow and cut streams, keep-alive
comments and events split across network reads. Stdlib only (http.server + threading), so the unit
tests can prove it without a browser.

As the real API does, thought parts (`{"text": ..., "thought": true}`) are sent only when the
request asks for them with generationConfig.thinkingConfig.includeThoughts = true.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TEXTS = ("Hello", " from", " the cloud.")
DEFAULT_KEYS = frozenset({"good-key"})
BAD_KEY_MESSAGE = "API key not valid. Please pass a valid API key."
KEEPALIVE = b": keep-alive\r\n\r\n"
SPLIT_PIECE = (1, 48)  # byte sizes of the random pieces split_writes sends
SPLIT_PAUSE = 0.001  # seconds between those pieces, so they reach the client as separate reads
_ROUTE = re.compile(r"/v1beta/models/([^/:]+):(generateContent|streamGenerateContent)")
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES = {
    403: "The caller does not have permission",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}
_CORS = {"Access-Control-Allow-Origin": "*"}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type, x-goog-api-key",
    "Access-Control-Max-Age": "0",
}
_ALWAYS = {"Cache-Control": "no-store", "Connection": "close"}
_JSON = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Call:
    """One request as received: path is unquoted without the query; header names are lower-case.

    body is the parsed JSON body (None when absent or not JSON).
    """

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any

    @property
    def params(self) -> dict[str, list[str]]:
        """The query string parsed, e.g. {"alt": ["sse"]}; a test asserts "key" is never in it."""
        return parse_qs(self.query, keep_blank_values=True)


@dataclass(frozen=True)
class Reply:
    """One answer: text pieces (one stream event each) after thought pieces, or a Google error.

    A nonzero status makes it an error (message and google_status default to Google's for the
    status). finish_reason is what the last chunk carries ("STOP", or e.g. "MAX_TOKENS", "SAFETY").
    Lists are accepted for texts and thoughts and kept as tuples.
    """

    texts: tuple[str, ...] = ()
    thoughts: tuple[str, ...] = ()
    finish_reason: str = "STOP"
    status: int = 0
    message: str = ""
    google_status: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "thoughts", tuple(self.thoughts))

    @classmethod
    def text(cls, *pieces: str, thoughts: Sequence[str] = ()) -> Reply:
        return cls(texts=tuple(pieces), thoughts=tuple(thoughts))

    @classmethod
    def json_value(cls, value: object) -> Reply:
        """json.dumps(value) as the answer's text, streamed in three pieces (structured output)."""
        return cls(texts=thirds(json.dumps(value)))

    @classmethod
    def error(cls, status: int, message: str = "", google_status: str = "") -> Reply:
        return cls(status=status, message=message, google_status=google_status)


@dataclass(frozen=True)
class _Settings:
    delay: float = 0.0
    drop_after: int | None = None
    cut_gate: threading.Event | None = None
    keepalive: bool = False
    split: bool = True


def thirds(text: str) -> tuple[str, ...]:
    """text in three consecutive pieces (fewer only when it is shorter than three characters)."""
    cuts = [0, len(text) // 3, 2 * len(text) // 3, len(text)]
    return tuple(text[a:b] for a, b in itertools.pairwise(cuts) if b > a) or ("",)


def error_body(status: int, message: str = "", google_status: str = "") -> dict[str, Any]:
    """Google's error envelope, with its usual message and status name when none is given."""
    with contextlib.suppress(ValueError):
        message = message or _MESSAGES.get(status, HTTPStatus(status).phrase)
    return {
        "error": {
            "code": status,
            "message": message,
            "status": google_status or _GOOGLE_STATUS.get(status, "UNKNOWN"),
        }
    }


def bad_key_body() -> dict[str, Any]:
    body = error_body(400, BAD_KEY_MESSAGE, "INVALID_ARGUMENT")
    body["error"]["details"] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
        }
    ]
    return body


def tokens(text: str) -> int:
    """A stand-in token count: about four characters a token, like Gemini's tokenizer on English."""
    return (len(text) + 3) // 4


def prompt_text(body: dict[str, Any]) -> str:
    """Every "text" string in the request's contents and systemInstruction, joined."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([body.get("contents"), body.get("systemInstruction")])
    return "".join(found)


def wants_thoughts(body: dict[str, Any]) -> bool:
    config = body.get("generationConfig")
    thinking = config.get("thinkingConfig") if isinstance(config, dict) else None
    return isinstance(thinking, dict) and thinking.get("includeThoughts") is True


def usage(prompt: int, reply: Reply) -> dict[str, int]:
    """usageMetadata: totalTokenCount is prompt + candidates (+ thoughts when the reply thought)."""
    answer, thought = tokens("".join(reply.texts)), tokens("".join(reply.thoughts))
    counts = {"promptTokenCount": prompt, "candidatesTokenCount": answer}
    counts["totalTokenCount"] = prompt + answer + thought
    if thought:
        counts["thoughtsTokenCount"] = thought
    return counts


def chunk(
    model: str, parts: list[dict[str, Any]], finish: str | None, counts: dict[str, int] | None, rid: str
) -> dict[str, Any]:
    """One GenerateContentResponse with a single candidate."""
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
    if finish:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    response: dict[str, Any] = {"candidates": [candidate]}
    if counts is not None:
        response["usageMetadata"] = counts
    response.update(modelVersion=model, responseId=rid)
    return response


def _thought_parts(reply: Reply, include: bool) -> list[dict[str, Any]]:
    return [{"text": text, "thought": True} for text in reply.thoughts] if include else []


def generate(model: str, reply: Reply, prompt: int, include: bool, rid: str) -> dict[str, Any]:
    """The generateContent answer: thought parts, then the text pieces joined into one part."""
    parts = [*_thought_parts(reply, include), {"text": "".join(reply.texts)}]
    return chunk(model, parts, reply.finish_reason, usage(prompt, reply), rid)


def stream_chunks(model: str, reply: Reply, prompt: int, include: bool, rid: str) -> list[dict[str, Any]]:
    """The streamGenerateContent chunks: one part each, the last with finishReason and usageMetadata."""
    parts = [*_thought_parts(reply, include), *({"text": text} for text in reply.texts)] or [{"text": ""}]
    last = len(parts) - 1
    return [
        chunk(
            model,
            [part],
            reply.finish_reason if n == last else None,
            usage(prompt, reply) if n == last else None,
            rid,
        )
        for n, part in enumerate(parts)
    ]


def sse_event(response: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(response, ensure_ascii=False).encode() + b"\r\n\r\n"


class GeminiServer:
    """Answers the Gemini API at {base}/v1beta/models/{model}:... on 127.0.0.1; start() it, stop() it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._default = Reply(texts=DEFAULT_TEXTS)
        self._failure: Reply | None = None
        self._queue: list[Reply] = []
        self._settings = _Settings()
        self.keys: set[str] = set(DEFAULT_KEYS)
        self.calls: list[Call] = []
        self.force_thoughts = False
        self.port = 0
        self.origin = ""

    @property
    def base(self) -> str:
        """What the app is configured with in place of https://generativelanguage.googleapis.com."""
        return self.origin

    def url(self, model: str, stream: bool = False) -> str:
        if stream:
            return f"{self.base}/v1beta/models/{model}:streamGenerateContent?alt=sse"
        return f"{self.base}/v1beta/models/{model}:generateContent"

    def start(self, port: int = 0) -> GeminiServer:
        """Listen on 127.0.0.1:port (0: any free port, as the tests use; a fixed one for a site built before)."""
        self._stopped.clear()
        self._httpd = _Httpd(self, port)
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="geminiserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (new connections are refused) and cut any stream still being sent."""
        self._stopped.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> GeminiServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """The defaults: reply(DEFAULT_TEXTS), no queue, faults or delay, split writes on, keys={"good-key"}."""
        with self._lock:
            self._default = Reply(texts=DEFAULT_TEXTS)
            self._failure = None
            self._queue.clear()
            self._settings = _Settings()
            self.keys = set(DEFAULT_KEYS)
            self.force_thoughts = False  # True: send thought parts even unasked (a model that thinks aloud)
            self.calls.clear()

    def reply(self, texts: Sequence[str], thoughts: Sequence[str] = ()) -> None:
        """The default answer from now on: thoughts first (one event each), then one event per text piece.

        generateContent answers carry the thoughts as parts and then the pieces joined as one part.
        """
        with self._lock:
            self._default = Reply(texts=tuple(texts), thoughts=tuple(thoughts))

    def reply_json(self, value: object) -> None:
        """The default answer from now on is json.dumps(value) as text (streamed in three pieces)."""
        with self._lock:
            self._default = Reply.json_value(value)

    def queue(self, *replies: Reply) -> None:
        """One-shot answers, spent in order by the next keyed requests before fail() or the default."""
        with self._lock:
            self._queue.extend(replies)

    def fail(self, status: int, message: str = "", google_status: str = "") -> None:
        """Answer keyed requests with this Google error from now on (after any queue()); fail(0) clears."""
        with self._lock:
            self._failure = Reply.error(status, message, google_status) if status else None

    def slow(self, seconds_between_events: float) -> None:
        """Wait this long before each stream event (headers go at once) and before other answers."""
        self._tune(delay=seconds_between_events)

    def drop_after(self, events: int | None) -> None:
        """Streams send at most this many events, never the final one, then the connection is cut.

        The chunked body is left unterminated, so a browser's reader fails as on a real network
        drop. None turns it off; generateContent answers are unaffected.
        """
        self._tune(drop_after=events)

    def hold_cut(self) -> threading.Event:
        """Dropped streams wait (up to 60 s) for the returned event before the cut, so a test can
        see the events that came before it arrive first."""
        gate = threading.Event()
        self._tune(cut_gate=gate)
        return gate

    def keepalive(self, on: bool = True) -> None:
        """Send a `: keep-alive` SSE comment before every stream event."""
        self._tune(keepalive=on)

    def split_writes(self, on: bool = True) -> None:
        """Write each stream event (and comment) in random 1-48 byte pieces, 1 ms apart (on by default)."""
        self._tune(split=on)

    def posts(self) -> list[Call]:
        """The recorded calls other than CORS preflights."""
        with self._lock:
            return [call for call in self.calls if call.method != "OPTIONS"]

    def _tune(self, **changes: Any) -> None:
        with self._lock:
            self._settings = replace(self._settings, **changes)

    # The handler's side: everything below is called from request threads.

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _accepts(self, key: str | None) -> bool:
        with self._lock:
            return key is not None and key in self.keys

    def _next(self) -> tuple[Reply, _Settings, int]:
        """The answer for one keyed request (spending a queued one), the faults now, and a request id."""
        with self._lock:
            reply = self._queue.pop(0) if self._queue else self._failure or self._default
            return reply, self._settings, next(self._ids)

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopped; False once the server is stopping."""
        return not self._stopped.wait(seconds) if seconds > 0 else not self._stopped.is_set()


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, gemini: GeminiServer, port: int = 0) -> None:
        self.gemini = gemini
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small writes must leave at once, not wait for an ACK
    server: _Httpd

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_OPTIONS(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.gemini._record(self._call(self._read_body()))
            self._head(204, {**_PREFLIGHT, "Content-Length": "0"})

    def do_POST(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        raw = self._read_body()
        call = self._call(raw)
        gemini = self.server.gemini
        gemini._record(call)
        route = _ROUTE.fullmatch(call.path)
        if route is None or self.command != "POST":
            message = f"Method not found: {self.command} {call.path}"
            return self._json(404, error_body(404, message, "NOT_FOUND"))
        if not gemini._accepts(call.headers.get("x-goog-api-key")):
            return self._json(400, bad_key_body())
        if not isinstance(call.body, dict):
            message = f"Invalid JSON payload received. Unexpected token: {raw[:20]!r}"
            return self._json(400, error_body(400, message))
        if not call.body.get("contents"):
            message = "* GenerateContentRequest.contents: contents is not specified\n"
            return self._json(400, error_body(400, message))
        model, method = route.groups()
        reply, settings, number = gemini._next()
        stream = method == "streamGenerateContent"
        if (not stream or reply.status) and not gemini._wait(settings.delay):
            return self._cut()
        if reply.status:
            return self._json(reply.status, error_body(reply.status, reply.message, reply.google_status))
        include = wants_thoughts(call.body) or gemini.force_thoughts
        prompt, rid = tokens(prompt_text(call.body)), f"fake-{number}"
        if not stream:
            return self._json(200, generate(model, reply, prompt, include, rid))
        chunks = stream_chunks(model, reply, prompt, include, rid)
        if "sse" not in call.params.get("alt", []):
            return self._json(200, chunks)  # without alt=sse Google streams one JSON array
        self._stream(chunks, settings, random.Random(number))

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _call(self, raw: bytes) -> Call:
        parts = urlsplit(self.path)
        body = None
        with contextlib.suppress(ValueError):
            body = json.loads(raw) if raw else None
        headers = {name.lower(): value for name, value in self.headers.items()}
        return Call(self.command, unquote(parts.path), parts.query, headers, body)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**_ALWAYS, **_CORS, **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def _json(self, status: int, value: object) -> None:
        data = json.dumps(value, ensure_ascii=False, indent=2).encode()
        self._head(status, {"Content-Type": _JSON, "Content-Length": str(len(data))})
        self.wfile.write(data)

    def _stream(self, chunks: list[dict[str, Any]], settings: _Settings, rng: random.Random) -> None:
        """SSE over a chunked body: the events (cut short by drop_after), then the terminating chunk."""
        self._head(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"})
        count = len(chunks) if settings.drop_after is None else min(settings.drop_after, len(chunks) - 1)
        for response in chunks[: max(count, 0)]:
            if settings.keepalive:
                self._send(KEEPALIVE, settings.split, rng)
            if not self.server.gemini._wait(settings.delay):
                return self._cut()
            self._send(sse_event(response), settings.split, rng)
        if settings.drop_after is not None:
            self.wfile.flush()
            gate, deadline = settings.cut_gate, time.monotonic() + 60
            while gate is not None and not gate.wait(0.1) and time.monotonic() < deadline:
                if not self.server.gemini._wait(0):
                    break
            return self._cut()
        self.wfile.write(b"0\r\n\r\n")

    def _send(self, data: bytes, split: bool, rng: random.Random) -> None:
        """data as HTTP chunks: one, or random small ones with pauses so reads see them apart."""
        start = 0
        while start < len(data):
            size = rng.randint(*SPLIT_PIECE) if split else len(data)
            piece = data[start : start + size]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            start += size
            if split and start < len(data):
                time.sleep(SPLIT_PAUSE)

    def _cut(self) -> None:
        """End the connection mid-body: what was written still arrives, then EOF with no last chunk."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
