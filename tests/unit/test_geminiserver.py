"""tests/browser/geminiserver.py: Gemini's wire format, the key check, CORS and injected faults, over HTTP."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.geminiserver import BAD_KEY_MESSAGE, GeminiServer, Reply

MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
KEY = {"x-goog-api-key": "good-key", "Content-Type": "application/json"}
ASK = {"contents": [{"role": "user", "parts": [{"text": "Say hello to the whole cloud"}]}]}
THINKING = {**ASK, "generationConfig": {"thinkingConfig": {"includeThoughts": True}}}
Answer = tuple[int, http.client.HTTPMessage, bytes]


@pytest.fixture
def server() -> Iterator[GeminiServer]:
    with GeminiServer() as running:
        yield running


def request(
    server: GeminiServer,
    method: str = "POST",
    path: str = GENERATE,
    body: object = ASK,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request; a body cut short (no final chunk) comes back as what arrived, status negated."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=KEY if headers is None else headers)
        response = connection.getresponse()
        try:
            return response.status, response.headers, response.read()
        except http.client.IncompleteRead as cut:
            return -response.status, response.headers, cut.partial
    finally:
        connection.close()


def events(raw: bytes) -> list[dict[str, Any]]:
    """The `data:` payloads of an SSE body, in order (comments skipped)."""
    assert raw == b"" or raw.endswith(b"\r\n\r\n")
    found = []
    for block in raw.split(b"\r\n\r\n"):
        found += [json.loads(line[5:]) for line in block.split(b"\r\n") if line.startswith(b"data:")]
    return found


def parts(response: dict[str, Any]) -> list[dict[str, Any]]:
    return response["candidates"][0]["content"]["parts"]


def texts(chunks: list[dict[str, Any]]) -> list[str]:
    return [part["text"] for chunk in chunks for part in parts(chunk)]


def test_generate_content_answers_the_response_shape(server: GeminiServer) -> None:
    status, headers, body = request(server)
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    response = json.loads(body)
    assert response["candidates"] == [
        {
            "content": {"parts": [{"text": "Hello from the cloud."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ]
    usage = response["usageMetadata"]
    assert usage["promptTokenCount"] > 0 and usage["candidatesTokenCount"] > 0
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    assert response["modelVersion"] == MODEL
    assert server.base == server.origin == f"http://127.0.0.1:{server.port}"
    assert (
        server.url(MODEL) == server.base + GENERATE and server.url(MODEL, stream=True) == server.base + STREAM
    )


def test_generate_content_puts_thoughts_first_then_the_text_joined(server: GeminiServer) -> None:
    server.reply(["Hi", " there"], thoughts=["Pondering.", " Done."])
    response = json.loads(request(server, body=THINKING)[2])
    assert parts(response) == [
        {"text": "Pondering.", "thought": True},
        {"text": " Done.", "thought": True},
        {"text": "Hi there"},
    ]
    usage = response["usageMetadata"]
    total = usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    assert usage["totalTokenCount"] == total


def test_stream_sends_thoughts_then_pieces_and_finishes_on_the_last(server: GeminiServer) -> None:
    server.reply(["Hé", "llo", " ☁️"], thoughts=["Think", "ing"])
    status, headers, raw = request(server, path=STREAM, body=THINKING)
    assert (status, headers["Content-Type"], headers["Transfer-Encoding"]) == (
        200,
        "text/event-stream",
        "chunked",
    )
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert raw.startswith(b"data: {") and raw.count(b"\r\n\r\n") == 5
    chunks = events(raw)
    assert [parts(chunk) for chunk in chunks] == [
        [{"text": "Think", "thought": True}],
        [{"text": "ing", "thought": True}],
        [{"text": "Hé"}],
        [{"text": "llo"}],
        [{"text": " ☁️"}],
    ]
    assert [chunk["candidates"][0].get("finishReason") for chunk in chunks] == [None] * 4 + ["STOP"]
    assert ["usageMetadata" in chunk for chunk in chunks] == [False] * 4 + [True]
    assert all(chunk["candidates"][0]["content"]["role"] == "model" for chunk in chunks)
    assert {(chunk["modelVersion"], chunk["responseId"]) for chunk in chunks} == {
        (MODEL, chunks[0]["responseId"])
    }


def test_thoughts_are_sent_only_when_the_request_asks_for_them(server: GeminiServer) -> None:
    server.reply(["Answer"], thoughts=["Secret thinking"])
    chunks = events(request(server, path=STREAM)[2])
    assert texts(chunks) == ["Answer"]
    assert chunks[-1]["usageMetadata"]["thoughtsTokenCount"] > 0
    assert parts(json.loads(request(server)[2])) == [{"text": "Answer"}]


def test_the_key_header_is_checked_and_bad_keys_get_googles_body(server: GeminiServer) -> None:
    expected = {
        "error": {
            "code": 400,
            "message": BAD_KEY_MESSAGE,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ],
        }
    }
    for headers in ({"Content-Type": "application/json"}, {**KEY, "x-goog-api-key": "wrong"}):
        status, answer_headers, body = request(server, path=STREAM, headers=headers)
        assert (status, json.loads(body)) == (400, expected)
        assert answer_headers["Access-Control-Allow-Origin"] == "*"
    server.keys.add("second-key")
    assert request(server, headers={**KEY, "x-goog-api-key": "second-key"})[0] == 200


def test_a_key_in_the_query_is_recorded_but_not_accepted(server: GeminiServer) -> None:
    status, _, body = request(server, path=f"{GENERATE}?key=good-key", headers={})
    assert status == 400 and json.loads(body)["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert server.calls[-1].params["key"] == ["good-key"] and server.calls[-1].query == "key=good-key"
    request(server, path=STREAM)
    assert "key" not in server.calls[-1].params


def test_fail_answers_google_errors_until_cleared(server: GeminiServer) -> None:
    server.fail(429)
    status, headers, body = request(server, path=STREAM)
    assert (status, headers["Content-Type"]) == (429, "application/json; charset=UTF-8")
    assert json.loads(body) == {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    server.fail(500)
    error = json.loads(request(server)[2])["error"]
    assert (error["code"], error["status"]) == (500, "INTERNAL") and error["message"]
    server.fail(403, "Permission denied: key suspended.", "PERMISSION_DENIED")
    assert json.loads(request(server)[2])["error"] == {
        "code": 403,
        "message": "Permission denied: key suspended.",
        "status": "PERMISSION_DENIED",
    }
    assert request(server, headers={})[0] == 400  # the key is checked first
    server.fail(0)
    assert request(server)[0] == 200


def test_queued_replies_are_spent_in_order_then_the_default(server: GeminiServer) -> None:
    server.fail(503)
    server.queue(Reply.text('{"title": '), Reply.json_value({"title": "Cats"}), Reply.error(500))
    assert request(server, headers={})[0] == 400  # a refused key spends nothing
    assert parts(json.loads(request(server)[2])) == [{"text": '{"title": '}]
    pieces = texts(events(request(server, path=STREAM)[2]))
    assert len(pieces) == 3 and json.loads("".join(pieces)) == {"title": "Cats"}
    assert request(server)[0] == 500
    assert request(server)[0] == 503
    server.fail(0)
    assert texts(events(request(server, path=STREAM)[2])) == ["Hello", " from", " the cloud."]


def test_reply_json_is_the_text_whole_or_in_three_pieces(server: GeminiServer) -> None:
    value = {"title": "Cats", "tags": ["a", "b"], "n": 3}
    server.reply_json(value)
    assert json.loads(parts(json.loads(request(server)[2]))[0]["text"]) == value
    pieces = texts(events(request(server, path=STREAM)[2]))
    assert len(pieces) == 3 and json.loads("".join(pieces)) == value


def test_finish_reason_comes_from_the_reply(server: GeminiServer) -> None:
    server.queue(Reply(texts=("Cut",), finish_reason="MAX_TOKENS"))
    assert events(request(server, path=STREAM)[2])[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_drop_after_cuts_the_stream_before_its_final_chunk(server: GeminiServer) -> None:
    server.drop_after(1)
    status, _, raw = request(server, path=STREAM)
    chunks = events(raw)
    assert status == -200 and texts(chunks) == ["Hello"]
    assert "finishReason" not in chunks[0]["candidates"][0] and "usageMetadata" not in chunks[0]
    server.drop_after(10)  # never the final event, however many are asked for
    status, _, raw = request(server, path=STREAM)
    assert status == -200 and texts(events(raw)) == ["Hello", " from"]
    assert request(server)[0] == 200  # generateContent is unaffected
    server.drop_after(None)
    assert request(server, path=STREAM)[0] == 200


def test_keepalive_comments_come_between_events(server: GeminiServer) -> None:
    server.keepalive()
    raw = request(server, path=STREAM)[2]
    assert raw.count(b": keep-alive\r\n\r\n") == 3 and raw.startswith(b": keep-alive\r\n\r\ndata: ")
    assert texts(events(raw)) == ["Hello", " from", " the cloud."]


def test_split_writes_reach_the_client_in_many_reads(server: GeminiServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        body = json.dumps(ASK).encode()
        head = f"POST {STREAM} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: good-key\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body)
        reads = []
        while data := connection.recv(65536):
            reads.append(data)
    assert len(reads) >= 10 and b"".join(reads).endswith(b"0\r\n\r\n")
    server.split_writes(False)
    assert texts(events(request(server, path=STREAM)[2])) == ["Hello", " from", " the cloud."]


def test_slow_spaces_the_events(server: GeminiServer) -> None:
    server.slow(0.05)
    began = time.monotonic()
    assert request(server, path=STREAM)[0] == 200
    assert time.monotonic() - began >= 0.15


def test_a_client_hanging_up_mid_stream_leaves_the_server_serving(server: GeminiServer) -> None:
    server.slow(0.05)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("POST", STREAM, body=json.dumps(ASK).encode(), headers=KEY)
    response = connection.getresponse()
    assert response.read1(1) and response.status == 200
    connection.close()
    server.slow(0)
    assert request(server, path=STREAM)[0] == 200


def test_options_preflight_allows_the_key_header(server: GeminiServer) -> None:
    headers = {"Origin": "http://127.0.0.1:1", "Access-Control-Request-Method": "POST"}
    status, answer, body = request(server, "OPTIONS", STREAM, None, headers)
    assert (status, body) == (204, b"")
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert answer["Access-Control-Allow-Headers"] == "content-type, x-goog-api-key"
    assert answer["Access-Control-Max-Age"] == "0"
    assert server.calls[-1].method == "OPTIONS" and server.posts() == []


def test_unknown_paths_and_methods_are_googles_404(server: GeminiServer) -> None:
    for method, path in (("POST", "/v1beta/models/x:countTokens"), ("POST", "/nope"), ("GET", GENERATE)):
        status, headers, body = request(server, method, path)
        error = json.loads(body)["error"]
        assert (status, error["code"], error["status"]) == (404, 404, "NOT_FOUND") and error["message"]
        assert headers["Access-Control-Allow-Origin"] == "*"


def test_bad_bodies_are_invalid_argument(server: GeminiServer) -> None:
    assert request(server, body=None)[0] == 400
    assert json.loads(request(server, body={"contents": []})[2])["error"]["status"] == "INVALID_ARGUMENT"


def test_without_alt_sse_the_stream_is_one_json_array(server: GeminiServer) -> None:
    status, headers, body = request(server, path=STREAM.removesuffix("?alt=sse"))
    assert (status, headers["Content-Type"]) == (200, "application/json; charset=UTF-8")
    assert texts(json.loads(body)) == ["Hello", " from", " the cloud."]


def test_calls_record_every_request_with_headers_and_body(server: GeminiServer) -> None:
    request(server, "OPTIONS", STREAM, None, {})
    request(server, path=STREAM, headers={**KEY, "X-Goog-Api-Client": "tabula/0.1"})
    assert [call.method for call in server.calls] == ["OPTIONS", "POST"]
    call = server.calls[-1]
    assert call.path == f"/v1beta/models/{MODEL}:streamGenerateContent" and call.query == "alt=sse"
    assert call.headers["x-goog-api-key"] == "good-key" and call.headers["x-goog-api-client"] == "tabula/0.1"
    assert call.body == ASK and server.posts() == [call]


def test_reset_restores_the_defaults(server: GeminiServer) -> None:
    server.reply(["x"])
    server.fail(500)
    server.queue(Reply.error(503))
    server.slow(5)
    server.drop_after(0)
    server.keepalive()
    server.keys = {"other"}
    server.reset()
    assert server.calls == [] and server.keys == {"good-key"}
    raw = request(server, path=STREAM)[2]
    assert b"keep-alive" not in raw and texts(events(raw)) == ["Hello", " from", " the cloud."]


def test_stop_refuses_connections(server: GeminiServer) -> None:
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        request(server)
