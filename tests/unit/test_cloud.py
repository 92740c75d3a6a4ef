"""cloud.py: Gemini requests (key only in a header), SSE parsing in any pieces, replies, errors, keys."""

from __future__ import annotations

import json

import pytest

from tabula.cloud.wire import (
    DEFAULT_BASE,
    DEFAULT_MODEL,
    CloudError,
    SseParser,
    blocked,
    chat_request,
    http_error,
    json_request,
    looks_like_key,
    mask,
    network_error,
    text_of,
)

KEY = "AIzaSyD-test_Key0123456789abcdefghijX9Q2"


def chunk(text: str, thought: bool = False, finish: str | None = None) -> dict:
    part: dict = {"text": text}
    if thought:
        part["thought"] = True
    candidate: dict = {"content": {"role": "model", "parts": [part]}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": DEFAULT_MODEL}


EVENTS = [
    json.dumps(chunk("Let me think…", thought=True)),
    json.dumps(chunk("Photosynthesis turns light")),
    '{"candidates": [{"content": {"parts": [{"text": " into sugar"}]},\n"index": 0}]}',
    json.dumps(chunk("\u00e9t\u00e9 \u2014 done.", finish="STOP")),
]
STREAM = (
    "\ufeff: keep-alive\r\n\r\n"
    f"data: {EVENTS[0]}\r\n\r\n"
    "event: message\r\nid: 7\r\nretry: 1000\r\n"
    f"data:{EVENTS[1]}\r\n\r\n"
    ": ping\r\n\r\n"
    "data: " + EVENTS[2].replace("\n", "\r\ndata: ") + "\r\n\r\n"
    "id: 8\r\n\r\n"
    f"data: {EVENTS[3]}\r\n\r\n"
)


def parse(pieces: list[str]) -> list[str]:
    parser = SseParser()
    events = []
    for piece in pieces:
        events += parser.feed(piece)
    return events + parser.close()


def test_sse_stream_in_one_piece() -> None:
    assert parse([STREAM]) == EVENTS


def test_sse_stream_split_at_every_position() -> None:
    for at in range(len(STREAM) + 1):
        assert parse([STREAM[:at], STREAM[at:]]) == EVENTS, at


def test_sse_stream_one_character_at_a_time() -> None:
    assert parse(list(STREAM)) == EVENTS


def test_sse_stream_split_at_every_byte_position_of_the_utf8() -> None:
    """Chunks decoded as they arrive (a multi-byte character may straddle two reads)."""
    import codecs

    raw = STREAM.encode()
    for at in range(len(raw) + 1):
        decoder = codecs.getincrementaldecoder("utf-8")()
        pieces = [decoder.decode(raw[:at]), decoder.decode(raw[at:], final=True)]
        assert parse(pieces) == EVENTS, at


@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"])
def test_sse_line_endings(eol: str) -> None:
    stream = f"data: one{eol}{eol}data: two{eol}data: lines{eol}{eol}"
    assert parse([stream]) == ["one", "two\nlines"]
    assert parse(list(stream)) == ["one", "two\nlines"]


def test_sse_crlf_split_across_feeds_is_one_line_ending() -> None:
    parser = SseParser()
    assert parser.feed("data: a\r") == []
    assert parser.feed("\n\r") == ["a"]
    assert parser.feed("\ndata: b\r\n\r\n") == ["b"]


def test_sse_events_are_returned_as_soon_as_complete() -> None:
    parser = SseParser()
    assert parser.feed("data: x\n") == []
    assert parser.feed("\n") == ["x"]
    assert parser.feed("data: y\n\n: c\n") == ["y"]


def test_sse_close_flushes_an_unterminated_event() -> None:
    parser = SseParser()
    assert parser.feed("data: last") == []
    assert parser.close() == ["last"]
    assert parse(["data: a\n", "data: b"]) == ["a\nb"]


def test_sse_ignores_events_without_data_and_other_fields() -> None:
    stream = "event: ping\n\nid: 1\nretry: 5\n\n:comment\n\ndata\n\nfoo: bar\ndata:  two spaces\n\n"
    assert parse([stream]) == [" two spaces"]


def test_sse_bom_only_at_stream_start() -> None:
    assert parse(["\ufeff", "data: a\n\n"]) == ["a"]
    assert parse(["data: \ufeffa\n\n"]) == ["\ufeffa"]


def test_sse_parser_is_reusable_after_close() -> None:
    parser = SseParser()
    parser.feed("data: a")
    parser.close()
    assert parser.feed("\ufeffdata: b\n\n") == ["b"]


def test_text_of_skips_thoughts() -> None:
    response = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"text": "planning…", "thought": True},
                        {"text": "Hello"},
                        {"text": ", world"},
                        {"thought": True, "text": "more"},
                    ]
                }
            }
        ]
    }
    assert text_of(response) == "Hello, world"


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"candidates": []},
        {"candidates": [{}]},
        {"candidates": [{"content": {}}]},
        {"candidates": [{"content": {"parts": [{"inlineData": {}}]}}]},
        {"candidates": "x"},
        {"promptFeedback": {"blockReason": "SAFETY"}},
    ],
)
def test_text_of_without_text(response: dict) -> None:
    assert text_of(response) == ""


def test_text_of_streamed_events() -> None:
    assert (
        "".join(text_of(json.loads(e)) for e in EVENTS)
        == "Photosynthesis turns light into sugar\u00e9t\u00e9 \u2014 done."
    )


def test_chat_request_streaming() -> None:
    turns = [("user", "Hi"), ("model", "Hello!"), ("user", "Explain rain")]
    request = chat_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, turns, "Be brief.", 0.7, 40, 1024, stream=True)
    assert request.url == f"{DEFAULT_BASE}/v1beta/models/{DEFAULT_MODEL}:streamGenerateContent?alt=sse"
    assert dict(request.headers) == {"Content-Type": "application/json", "x-goog-api-key": KEY}
    body = json.loads(request.body)
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"text": "Hello!"}]},
        {"role": "user", "parts": [{"text": "Explain rain"}]},
    ]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["generationConfig"] == {"temperature": 0.7, "topK": 40, "maxOutputTokens": 1024}


def test_chat_request_not_streaming_without_system() -> None:
    request = chat_request(
        DEFAULT_BASE + "/", "models/x-1", KEY, [("user", "é")], "", 0.0, 1, 8, stream=False
    )
    assert request.url == f"{DEFAULT_BASE}/v1beta/models/x-1:generateContent"
    body = json.loads(request.body)
    assert "systemInstruction" not in body
    assert body["contents"] == [{"role": "user", "parts": [{"text": "é"}]}]


@pytest.mark.parametrize("stream", [True, False])
def test_the_key_is_only_in_the_header(stream: bool) -> None:
    requests = [
        chat_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, [("user", "q")], "sys", 1.0, 64, 100, stream),
        json_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, "prompt", {"type": "ARRAY"}, "sys"),
    ]
    for request in requests:
        assert KEY not in request.url and "key=" not in request.url
        assert KEY not in request.body
        assert [value for name, value in request.headers if value == KEY] == [KEY]
        assert ("x-goog-api-key", KEY) in request.headers


def test_chat_request_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="role"):
        chat_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, [("assistant", "x")], "", 1.0, 1, 1, True)


def test_json_request_with_schema() -> None:
    schema = {"type": "ARRAY", "items": {"type": "STRING"}}
    request = json_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, "List fruit", schema)
    assert request.url == f"{DEFAULT_BASE}/v1beta/models/{DEFAULT_MODEL}:generateContent"
    body = json.loads(request.body)
    assert body["contents"] == [{"role": "user", "parts": [{"text": "List fruit"}]}]
    assert body["generationConfig"] == {"responseMimeType": "application/json", "responseSchema": schema}
    assert "systemInstruction" not in body


def test_json_request_without_schema_with_system() -> None:
    body = json.loads(json_request(DEFAULT_BASE, DEFAULT_MODEL, KEY, "p", None, system="Only JSON").body)
    assert body["generationConfig"] == {"responseMimeType": "application/json"}
    assert body["systemInstruction"] == {"parts": [{"text": "Only JSON"}]}


def google(code: int, message: str, status: str, reason: str | None = None) -> str:
    error: dict = {"code": code, "message": message, "status": status}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return json.dumps({"error": error})


@pytest.mark.parametrize(
    ("status", "body", "kind", "says"),
    [
        (400, google(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", "API_KEY_INVALID"), "bad-key", "not valid"),
        (400, google(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"), "bad-key", "Settings"),
        (400, google(400, "Invalid JSON payload received. Unknown name \"foo\"", "INVALID_ARGUMENT"), "bad-request", "Invalid JSON payload"),
        (401, google(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"), "bad-key", "refused"),
        (403, google(403, "Method doesn't allow unregistered callers.", "PERMISSION_DENIED"), "bad-key", "Settings"),
        (404, google(404, "models/nope is not found for API version v1beta", "NOT_FOUND"), "bad-request", "model's name"),
        (429, google(429, "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"), "quota", "try again later"),
        (500, google(500, "An internal error has occurred.", "INTERNAL"), "server", "try again later"),
        (503, "<html><body>Service Unavailable</body></html>", "server", "HTTP 503"),
        (400, "<html>Bad Request</html>", "bad-request", "HTTP 400"),
        (418, "", "bad-request", "HTTP 418"),
        (302, "moved", "server", "HTTP 302"),
    ],
)  # fmt: skip
def test_http_error_table(status: int, body: str, kind: str, says: str) -> None:
    error = http_error(status, body)
    assert isinstance(error, CloudError)
    assert error.kind == kind
    assert says.lower() in error.message.lower()
    assert str(error) == error.message
    assert "<html>" not in error.message


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"error": "x"}', '{"error": {"message": 5, "details": "x"}}', "[" * 5000]
)
def test_http_error_tolerates_any_body(body: str) -> None:
    assert http_error(400, body).kind == "bad-request"
    assert http_error(401, body).kind == "bad-key"


def test_http_error_truncates_google_message_and_hides_keys() -> None:
    long = "x" * 1000
    error = http_error(400, google(400, f"Bad value {KEY} " + long, "INVALID_ARGUMENT"))
    assert KEY not in error.message
    assert len(error.message) < 320
    assert error.message.endswith("…")


def test_network_error() -> None:
    error = network_error("TypeError: Failed to fetch")
    assert error.kind == "network"
    assert error.message.startswith("No connection to the cloud service")
    assert "Failed to fetch" in error.message
    assert network_error("").message.endswith("try again.")
    assert KEY not in network_error(f"header {KEY}").message


def test_cloud_error_kinds() -> None:
    for kind in ("bad-request", "bad-key", "quota", "server", "network", "blocked", "cancelled"):
        assert CloudError(kind, "m").kind == kind
    with pytest.raises(ValueError):
        CloudError("oops", "m")


@pytest.mark.parametrize("reason", ["SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII"])
def test_blocked_finish_reasons(reason: str) -> None:
    message = blocked(chunk("partial", finish=reason))
    assert message and message.startswith("The cloud service stopped")


@pytest.mark.parametrize("reason", ["SAFETY", "OTHER", "BLOCK_REASON_UNSPECIFIED"])
def test_blocked_prompt(reason: str) -> None:
    message = blocked({"promptFeedback": {"blockReason": reason}})
    assert message and message.startswith("The cloud service refused")


@pytest.mark.parametrize(
    "response",
    [
        chunk("ok"),
        chunk("ok", finish="STOP"),
        chunk("ok", finish="MAX_TOKENS"),
        {},
        {"candidates": []},
        {"promptFeedback": {}},
    ],
)
def test_not_blocked(response: dict) -> None:
    assert blocked(response) is None


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("", ""),
        (KEY, "AIza…X9Q2"),
        ("abcdefghijkl", "abcd…ijkl"),
        ("abcdefghijk", "…jk"),
        ("ab", "…ab"),
    ],
)
def test_mask(key: str, shown: str) -> None:
    assert mask(key) == shown


def test_mask_never_shows_most_of_the_key() -> None:
    assert KEY[4:-4] not in mask(KEY)


@pytest.mark.parametrize("key", [KEY, "x" * 20, "A" * 100, "AIza-_.~!x" * 3])
def test_plausible_keys(key: str) -> None:
    assert looks_like_key(key) is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short",
        "x" * 19,
        "x" * 101,
        KEY + " ",
        " " + KEY,
        KEY[:10] + " " + KEY[10:],
        KEY + "\n",
        KEY[:-1] + "é",
        KEY + "\x00",
    ],
)
def test_implausible_keys(key: str) -> None:
    message = looks_like_key(key)
    assert message and message.endswith(".")
    if len(key) >= 12:
        assert key.strip() not in message
