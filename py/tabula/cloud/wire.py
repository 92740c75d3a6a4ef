"""The Gemini API wire format for the optional cloud engine: requests, SSE parsing, replies, errors. Pure.

Builds what to send (URL, headers, JSON body) and reads what comes back; the fetch itself lives in
the browser adapters. The user's key goes only in the `x-goog-api-key` header, never in a URL or a
body, and no message made here ever contains it. Stdlib only: no js, pyodide or pyscript.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tabula.i18n.translate import N_, tr

DEFAULT_MODEL = "gemma-4-26b-a4b-it"
DEFAULT_BASE = "https://generativelanguage.googleapis.com"
ROLES = frozenset({"user", "model"})
KINDS = frozenset({"bad-request", "bad-key", "quota", "server", "network", "blocked", "cancelled"})
_EOL = re.compile(r"\r\n|\r|\n")
_KEYLIKE = re.compile(r"AIza[0-9A-Za-z_\-]{8,}")
_BLOCKED = {  # what follows "because"
    "SAFETY": N_("it was flagged by the service's safety filters"),
    "RECITATION": N_("it repeated existing published text too closely"),
    "PROHIBITED_CONTENT": N_("it touched content the service does not allow"),
    "BLOCKLIST": N_("it contained terms the service blocks"),
    "SPII": N_("it may have contained sensitive personal information"),
}


@dataclass(frozen=True)
class CloudRequest:
    """One HTTP POST to make: where, which headers, and the JSON body as text."""

    url: str
    headers: tuple[tuple[str, str], ...]
    body: str


class CloudError(Exception):
    """A cloud call that failed; `message` is written for people and never contains the key."""

    def __init__(self, kind: str, message: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown cloud error kind: {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message


def _url(base: str, model: str, stream: bool) -> str:
    model = model.strip().removeprefix("models/")
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{base.rstrip('/')}/v1beta/models/{model}:{method}"


def _headers(key: str) -> tuple[tuple[str, str], ...]:
    return (("Content-Type", "application/json"), ("x-goog-api-key", key))


def _dump(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _with_system(body: dict, system: str) -> dict:
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    return body


def chat_request(
    base: str,
    model: str,
    key: str,
    turns: Sequence[tuple],
    system: str,
    temperature: float,
    top_k: int,
    max_output_tokens: int,
    stream: bool,
) -> CloudRequest:
    """A chat call: `turns` are ("user" | "model", text), oldest first, or (role, text, inline)
    with a turn's photos and audio as ((mime, base64), ...), sent as inline_data parts before its
    text (issue #25); SSE when `stream`."""
    contents = []
    for role, text, *inline in turns:
        if role not in ROLES:
            raise ValueError(f"a turn's role must be 'user' or 'model', not {role!r}")
        parts = [{"inline_data": {"mime_type": m, "data": d}} for m, d in (inline[0] if inline else ())]
        contents.append({"role": role, "parts": [*parts, {"text": text}] if text or not parts else parts})
    config = {"temperature": temperature, "topK": top_k, "maxOutputTokens": max_output_tokens}
    body = _with_system({"contents": contents}, system)
    body["generationConfig"] = config
    return CloudRequest(_url(base, model, stream), _headers(key), _dump(body))


def json_request(
    base: str, model: str, key: str, prompt: str, schema: dict | None, system: str = ""
) -> CloudRequest:
    """A one-shot generateContent call that asks for JSON (shaped by `schema` when given)."""
    config: dict = {"responseMimeType": "application/json"}
    if schema is not None:
        config["responseSchema"] = schema
    body = _with_system({"contents": [{"role": "user", "parts": [{"text": prompt}]}]}, system)
    body["generationConfig"] = config
    return CloudRequest(_url(base, model, False), _headers(key), _dump(body))


class SseParser:
    """Incremental text/event-stream parser: feed decoded text in any pieces, get each event's data."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._buffer = ""  # an unfinished line
        self._data: list[str] = []  # data lines of the event being read
        self._started = False  # past the optional BOM
        self._after_cr = False  # the last piece ended in \r: a \n starting the next one is its pair

    def feed(self, chunk: str) -> list[str]:
        """Data payloads of the events completed by `chunk` (multi-line data joined with "\\n")."""
        if chunk and not self._started:
            self._started = True
            chunk = chunk.removeprefix("\ufeff")
        if chunk and self._after_cr:
            self._after_cr = False
            chunk = chunk.removeprefix("\n")
        text = self._buffer + chunk
        events: list[str] = []
        start = 0
        for end in _EOL.finditer(text):
            self._line(text[start : end.start()], events)
            start = end.end()
        self._buffer = text[start:]
        if text.endswith("\r"):
            self._after_cr = True
        return events

    def close(self) -> list[str]:
        """The stream ended: flush a last event that had no blank line after it."""
        events: list[str] = []
        if self._buffer:
            self._line(self._buffer, events)
        self._dispatch(events)
        self._reset()
        return events

    def _line(self, line: str, events: list[str]) -> None:
        if not line:
            self._dispatch(events)
        elif not line.startswith(":"):  # a ":" line is a comment (keep-alive)
            field, _, value = line.partition(":")
            if field == "data":  # event:, id:, retry: and unknown fields are ignored
                self._data.append(value.removeprefix(" "))

    def _dispatch(self, events: list[str]) -> None:
        data = "\n".join(self._data)
        self._data = []
        if data:
            events.append(data)


def _parts(response: dict) -> list:
    candidates = response.get("candidates") if isinstance(response, dict) else None
    if not isinstance(candidates, list) or not candidates or not isinstance(candidates[0], dict):
        return []
    content = candidates[0].get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    return parts if isinstance(parts, list) else []


def text_of(response: dict) -> str:
    """The answer's text in one response (or one streamed chunk), without thought parts."""
    return "".join(
        part["text"]
        for part in _parts(response)
        if isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought")
    )


def finish_reason(response: dict) -> str | None:
    """Why the service ended its answer (STOP, MAX_TOKENS, SAFETY...), on the chunk that ends it."""
    candidates = response.get("candidates") if isinstance(response, dict) else None
    first = candidates[0] if isinstance(candidates, list) and candidates else None
    finish = first.get("finishReason") if isinstance(first, dict) else None
    return finish if isinstance(finish, str) else None


def blocked(response: dict) -> str | None:
    """Why the service refused or cut off the answer, for people; None if it did not."""
    if not isinstance(response, dict):
        return None
    feedback = response.get("promptFeedback")
    reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
    if reason:
        known = _BLOCKED.get(str(reason))
        why = tr(known) if known else tr("of its content rules ({reason})", reason=reason)
        return tr("The cloud service refused this request because {why}. Try rephrasing it.", why=why)
    finish = finish_reason(response)
    if finish in _BLOCKED:
        return tr(
            "The cloud service stopped its answer because {why}. Try rephrasing the request.",
            why=tr(_BLOCKED[finish]),
        )
    return None


def _scrub(text: str, limit: int = 200) -> str:
    """`text` on one line, shortened, with anything shaped like an API key hidden."""
    text = " ".join(_KEYLIKE.sub(tr("[key hidden]"), text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _google_error(body: str) -> tuple[str, set[str]]:
    """Google's error message and detail reasons from an error body, if it is Google's JSON."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError, TypeError, RecursionError):
        return "", set()
    if not isinstance(error, dict):
        return "", set()
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    details = error.get("details") if isinstance(error.get("details"), list) else []
    reasons = {str(d.get("reason")) for d in details if isinstance(d, dict) and d.get("reason")}
    return message, reasons


def http_error(status: int, body: str) -> CloudError:
    """The error for an HTTP answer that was not a success, with what to do about it."""
    message, reasons = _google_error(body)
    if status == 400 and ("API_KEY_INVALID" in reasons or "API key not valid" in message):
        return CloudError(
            "bad-key", tr("The cloud service says the API key is not valid. Check it in Settings.")
        )
    if status in (401, 403):
        refused = tr(
            "The API key was refused (HTTP {status}). Check it in Settings; it may be mistyped, "
            "restricted, or not allowed to use the Gemini API.",
            status=status,
        )
        return CloudError("bad-key", refused)
    if status == 429:
        limit = tr("The cloud service's quota or rate limit for this key was reached. Try again later.")
        return CloudError("quota", limit)
    if 400 <= status < 500:
        said = [tr("The cloud service could not handle this request (HTTP {status}).", status=status)]
        said += [tr("It said: {message}", message=_scrub(message))] if message else []
        said += [tr("Check the cloud model's name in Settings.")] if status == 404 else []
        return CloudError("bad-request", " ".join(said))
    if status >= 500:
        return CloudError(
            "server", tr("The cloud service had a problem (HTTP {status}). Try again later.", status=status)
        )
    return CloudError(
        "server",
        tr("The cloud service gave an unexpected answer (HTTP {status}). Try again later.", status=status),
    )


def network_error(detail: str) -> CloudError:
    """The error for a call that never got an answer (offline, DNS, blocked by a firewall…)."""
    message = tr("No connection to the cloud service. Check the internet connection and try again.")
    if detail.strip():
        message += " " + tr("(Details: {details})", details=_scrub(detail))
    return CloudError("network", message)


def mask(key: str) -> str:
    """A key shown safely: "AIza…x9Q2"; short keys show only their last 2 characters."""
    if not key:
        return ""
    return "…" + key[-2:] if len(key) < 12 else f"{key[:4]}…{key[-4:]}"


def looks_like_key(key: str) -> str | None:
    """None if `key` could be an API key; otherwise what is wrong with it, for people."""
    if not key:
        return tr("Paste your Gemini API key (from Google AI Studio).")
    if any(c.isspace() for c in key):
        return tr("The key must not contain spaces or line breaks. Copy it again from Google AI Studio.")
    if not all("!" <= c <= "~" for c in key):
        return tr("The key contains characters an API key never has. Copy it again from Google AI Studio.")
    if len(key) < 20:
        return tr("This key is too short to be an API key. Copy the whole key from Google AI Studio.")
    if len(key) > 100:
        return tr("This is too long to be an API key. Copy only the key from Google AI Studio.")
    return None
