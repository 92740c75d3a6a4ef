"""tests/browser/modelserver.py: ranges, CORS, the faults it injects, and stopping, over real HTTP."""

from __future__ import annotations

import hashlib
import http.client
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tabula.models.hub import lfs_facts
from tests.browser.modelserver import CORRUPT_FROM, ModelServer

SIZE = 300_000
DATA = random.Random(7).randbytes(SIZE)
NAME = "tiny.task"
Reply = tuple[int, http.client.HTTPMessage, bytes]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ModelServer]:
    path = tmp_path / NAME
    path.write_bytes(DATA)
    with ModelServer({NAME: path}) as running:
        yield running


def request(server: ModelServer, method: str = "GET", path: str = f"/{NAME}", **headers: str) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cut_short(server: ModelServer, start: int) -> bytes:
    """GET from start (a Range when start > 0); the server must end it early. Returns what arrived."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", f"/{NAME}", headers={"Range": f"bytes={start}-"} if start else {})
        response = connection.getresponse()
        assert response.status == (206 if start else 200)
        assert int(response.headers["Content-Length"]) == SIZE - start
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        return cut.value.partial
    finally:
        connection.close()


def test_full_get_is_the_file_with_the_download_headers(server: ModelServer) -> None:
    status, headers, body = request(server)
    assert (status, body) == (200, DATA)
    assert headers["Content-Length"] == str(SIZE)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Cache-Control"] == "no-store"
    assert headers["ETag"] and headers["ETag"] == request(server)[1]["ETag"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" in headers["Access-Control-Expose-Headers"]
    assert server.url(NAME) == f"http://127.0.0.1:{server.port}/{NAME}" == f"{server.origin}/{NAME}"


def test_open_and_closed_ranges_give_206_with_the_right_bytes(server: ModelServer) -> None:
    status, headers, body = request(server, Range="bytes=1000-")
    assert (status, body) == (206, DATA[1000:])
    assert headers["Content-Range"] == f"bytes 1000-{SIZE - 1}/{SIZE}"
    assert headers["Content-Length"] == str(SIZE - 1000)
    status, headers, body = request(server, Range="bytes=10-19")
    assert (status, body) == (206, DATA[10:20])
    assert (headers["Content-Range"], headers["Content-Length"]) == (f"bytes 10-19/{SIZE}", "10")
    assert request(server, Range="bytes=0-0")[2] == DATA[:1]
    status, headers, body = request(server, Range=f"bytes={SIZE - 5}-{SIZE + 100}")
    assert (status, body, headers["Content-Range"]) == (206, DATA[-5:], f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}")


def test_a_range_past_the_end_is_416(server: ModelServer) -> None:
    status, headers, body = request(server, Range=f"bytes={SIZE}-")
    assert (status, body, headers["Content-Range"]) == (416, b"", f"bytes */{SIZE}")


def test_head_has_the_length_and_no_body(server: ModelServer) -> None:
    status, headers, body = request(server, "HEAD")
    assert (status, headers["Content-Length"], body) == (200, str(SIZE), b"")
    status, headers, _ = request(server, "HEAD", Range="bytes=5-")
    assert (status, headers["Content-Range"]) == (206, f"bytes 5-{SIZE - 1}/{SIZE}")


def test_options_preflight_allows_range_from_any_origin(server: ModelServer) -> None:
    status, headers, body = request(server, "OPTIONS", Origin="http://127.0.0.1:1")
    assert (status, body) == (204, b"")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Range"
    assert headers["Access-Control-Max-Age"] == "0"


def test_unknown_path_is_404_with_cors(server: ModelServer) -> None:
    status, headers, _ = request(server, path="/nope.task")
    assert (status, headers["Access-Control-Allow-Origin"]) == (404, "*")
    assert server.log[-1].path == "/nope.task" and server.log[-1].status == 404


def test_drops_cut_each_get_once_and_resuming_gets_the_file(server: ModelServer) -> None:
    offsets = [50_000, 120_001, 250_000]
    server.drop_at(NAME, offsets)
    received = b""
    for offset in offsets:
        received += cut_short(server, len(received))
        assert len(received) == offset
    status, _, rest = request(server, Range=f"bytes={len(received)}-")
    assert status == 206 and received + rest == DATA
    assert server.range_starts(NAME) == [0, *offsets]
    assert [hit.status for hit in server.log] == [200, 206, 206, 206]


def test_a_get_starting_past_a_drop_discards_it_as_stale(server: ModelServer) -> None:
    server.drop_at(NAME, [100, 200_000])
    assert request(server, Range="bytes=1000-1999")[2] == DATA[1000:2000]  # ends before 200_000: kept
    assert cut_short(server, 0) == DATA[:200_000]  # 100 was stale, 200_000 fires
    assert request(server)[2] == DATA  # everything spent


def test_corrupt_keeps_the_length_and_the_head_and_flips_every_later_byte(server: ModelServer) -> None:
    """Damage on the way, past the first bytes: the file still starts like a model."""
    server.corrupt(NAME)
    _, headers, body = request(server)
    assert len(body) == SIZE == int(headers["Content-Length"])
    assert body == DATA[:CORRUPT_FROM] + bytes(b ^ 0xFF for b in DATA[CORRUPT_FROM:])
    _, _, tail = request(server, Range="bytes=1-")
    assert tail == DATA[1:CORRUPT_FROM] + bytes(b ^ 0xFF for b in DATA[CORRUPT_FROM:])
    server.corrupt(NAME, on=False)
    assert request(server)[2] == DATA


def test_ignore_range_answers_200_with_the_whole_file(server: ModelServer) -> None:
    server.ignore_range(NAME)
    status, headers, body = request(server, Range="bytes=1000-")
    assert (status, body, headers.get("Content-Range")) == (200, DATA, None)
    assert server.range_starts(NAME) == [1000]  # what the client asked for


def test_throttle_paces_the_body(server: ModelServer) -> None:
    server.throttle(1_000_000)
    began = time.monotonic()
    assert request(server, Range="bytes=0-65535")[2] == DATA[:65536]
    assert time.monotonic() - began >= 0.045  # three 16 ms sleeps between four 16 KB writes
    server.throttle(None)


def test_add_serves_another_file(server: ModelServer, tmp_path: Path) -> None:
    (tmp_path / "other.bin").write_bytes(b"other")
    server.add("other.bin", tmp_path / "other.bin")
    assert request(server, path="/other.bin")[2] == b"other"


def test_stop_refuses_connections(server: ModelServer) -> None:
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        request(server)


def test_a_portal_answers_every_get_with_an_html_sign_in_page(server: ModelServer) -> None:
    server.portal()
    status, headers, body = request(server, Range="bytes=100-")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"Sign in" in body
    server.portal(False)
    assert request(server)[2] == DATA


def test_the_hub_layout_serves_the_file_at_resolve_and_a_page_at_blob(server: ModelServer) -> None:
    resolve = server.hub_url(NAME).removeprefix(server.origin)
    assert resolve == f"/litert-community/test/resolve/main/{NAME}"
    status, _, body = request(server, path=resolve, Range="bytes=10-")
    assert (status, body) == (206, DATA[10:])
    status, headers, body = request(server, path=server.hub_url(NAME, page=True).removeprefix(server.origin))
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert body.startswith(b"<!doctype html>")


def test_the_model_api_states_each_files_lfs_sha256_and_size(server: ModelServer) -> None:
    status, headers, body = request(server, path="/api/models/litert-community/test/revision/main")
    assert (status, headers["Content-Type"]) == (200, "application/json")
    sha = hashlib.sha256(DATA).hexdigest()
    assert lfs_facts(body.decode(), NAME) == (sha, SIZE)
    server.hub_says(NAME, "ab" * 32, 5)
    assert lfs_facts(request(server, path="/api/models/a/b/revision/c")[2].decode(), NAME) == ("ab" * 32, 5)
