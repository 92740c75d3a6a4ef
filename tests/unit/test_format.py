"""models.format: the format sniffed from a model's head (MediaPipe's and GGUF), whether a zip
bundle is whole, and how far a GGUF's head is read to know whether it is whole."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from tabula.models.format import (
    DAMAGED,
    HEAD_BYTES,
    NOT_A_MODEL,
    TAIL_BYTES,
    TRUNCATED,
    model_format,
    problem,
    read_head,
    zip_is_whole,
)
from tests.aio import run
from tests.gguf_bytes import small_model
from tests.unit.test_gguf import built as project_gguf


def zip_bytes(payload: int = 3000, files: int = 2, comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        for i in range(files):
            bundle.writestr(f"part{i}", random.Random(i).randbytes(payload))
        bundle.comment = comment
    return buffer.getvalue()


def task(payload: int = 3000, **options: object) -> bytes:
    """A web .task: four header bytes, then the zip bundle (its offsets count from the zip)."""
    return b"\0\0\0\0" + zip_bytes(payload, **options)  # type: ignore[arg-type]


def judge(data: bytes) -> str | None:
    return problem(data[:8], data[-TAIL_BYTES:], len(data))


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x18\x00\x00\x00TFL3", "tflite"),
        (b"\0\0\0\0PK\x03\x04", "task-zip"),
        (b"LITERTLM", "litertlm"),
        (b"PK\x03\x04\0\0\0\0", None),  # a plain zip: PK at 0, not after the 4-byte header
        (b"\x7fELF\x02\x01\x01\x00", None),
        (b"", None),
        (b"\0\0\0\0P", None),
    ],
)
def test_model_format(head: bytes, kind: str | None) -> None:
    assert model_format(head) == kind


ZIPS = [
    ("plain zip", zip_bytes(), True),
    ("4-byte-prefixed zip", task(), True),
    ("zip with a comment", task(comment=b"made by a test"), True),
    ("zip longer than the tail window", task(200_000), True),
    ("last byte gone", task()[:-1], False),
    ("end record gone", task()[:-22], False),
    ("cut inside the data", task(200_000)[:150_000], False),
    ("cut inside the central directory", task(3000, files=40)[:-300], False),
    ("no zip at all", random.Random(9).randbytes(5000), False),
]


@pytest.mark.parametrize(("name", "data", "whole"), ZIPS, ids=[case[0] for case in ZIPS])
def test_zip_is_whole(name: str, data: bytes, whole: bool) -> None:
    assert zip_is_whole(data[-TAIL_BYTES:], len(data)) is whole, name


def test_a_central_directory_pointing_past_the_end_record_is_not_whole() -> None:
    data = task()
    at = data.rfind(b"PK\x05\x06")
    broken = data[: at + 16] + (at + 100).to_bytes(4, "little") + data[at + 20 :]  # offset past itself
    assert zip_is_whole(broken[-TAIL_BYTES:], len(broken)) is False


def test_the_tail_may_be_shorter_than_the_window() -> None:
    data = task()
    assert len(data) < TAIL_BYTES
    assert zip_is_whole(data, len(data)) is True
    assert zip_is_whole(data[-30:], len(data)) is True  # the end record alone is enough


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(task(), None, id="whole task"),
        pytest.param(b"\x18\x00\x00\x00TFL3" + bytes(2000), None, id="tflite"),
        pytest.param(b"LITERTLM" + bytes(2000), None, id="litertlm"),
        pytest.param(task()[:-50], TRUNCATED, id="task missing its end"),
        pytest.param(task(200_000)[:100_000], TRUNCATED, id="task cut in half"),
        pytest.param(b"\x18\x00\x00\x00TFL3" + bytes(500), NOT_A_MODEL, id="under 1 KB"),
        pytest.param(b"hello world " * 200, NOT_A_MODEL, id="text"),
        pytest.param(bytes(5000), NOT_A_MODEL, id="zeros"),
    ],
)
def test_problem(data: bytes, expected: str | None) -> None:
    assert judge(data) == expected


def gguf(version: int = 3, tensors: int = 12, keys: int = 30, body: int = 4000) -> bytes:
    """A GGUF file's start: magic, version, tensor count, metadata count, then bytes."""
    return b"GGUF" + struct.pack("<IQQ", version, tensors, keys) + random.Random(3).randbytes(body)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(gguf(), None, id="gguf v3"),
        pytest.param(gguf(version=2), None, id="gguf v2"),
        pytest.param(gguf(version=1), NOT_A_MODEL, id="gguf v1 (llama.cpp reads it no more)"),
        pytest.param(gguf(version=0x4655_4747), NOT_A_MODEL, id="garbage version"),
        pytest.param(gguf(tensors=0), NOT_A_MODEL, id="no tensors"),
        pytest.param(gguf(tensors=1 << 40), NOT_A_MODEL, id="absurd tensor count"),
        pytest.param(gguf(keys=1 << 40), NOT_A_MODEL, id="absurd metadata count"),
        pytest.param(b"GGUF" + random.Random(4).randbytes(4000), NOT_A_MODEL, id="magic then noise"),
        pytest.param(gguf(body=0)[:20], NOT_A_MODEL, id="header cut short"),
        pytest.param(gguf(body=500), NOT_A_MODEL, id="under 1 KB"),
    ],
)
def test_gguf_files_are_judged_by_their_header(data: bytes, expected: str | None) -> None:
    assert problem(data[:HEAD_BYTES], data[-TAIL_BYTES:], len(data)) == expected
    if len(data) >= 1024:  # a whole file's verdict is its header's
        assert (model_format(data[:HEAD_BYTES]) == "gguf") is (expected is None)


def test_the_refusal_names_both_kinds_of_file() -> None:
    assert ".task" in NOT_A_MODEL and ".gguf" in NOT_A_MODEL


def reads_of(data: bytes, limit: int | None = None) -> tuple[bytes, list[int]]:
    """format.read_head over `data` (a reader that gives at most `limit` bytes, as a stored
    model's first chunk does), and the lengths it asked for."""
    asked: list[int] = []

    async def read(n: int) -> bytes:
        asked.append(n)
        return data[: min(n, limit or n)]

    return run(read_head(read, len(data))), asked


def test_the_head_of_a_gguf_grows_until_its_metadata_ends() -> None:
    real = project_gguf("real-gguf").read_bytes()  # 6.5 MB of metadata (262,144 tokens)
    head, asked = reads_of(real)
    assert asked == [HEAD_BYTES, 1 << 20, 2 << 20, 4 << 20, 8 << 20] and head == real[: 8 << 20]
    assert problem(head, real[-TAIL_BYTES:], len(real)) is None
    cut = real[: len(real) - 1000]
    assert problem(reads_of(cut)[0], cut[-TAIL_BYTES:], len(cut)) == TRUNCATED
    head, asked = reads_of(real, limit=4 << 20)  # the layout stays unknown: the load will tell
    assert asked == [HEAD_BYTES, 1 << 20, 2 << 20, 4 << 20, 8 << 20] and len(head) == 4 << 20
    assert problem(head, real[-TAIL_BYTES:], len(real)) is None


def test_a_truncated_tiny_gguf_is_refused_from_its_head_and_tail() -> None:
    tiny = project_gguf("tiny-gguf").read_bytes()
    assert reads_of(tiny)[1] == [HEAD_BYTES, 1 << 20]
    for cut in (len(tiny) - 1, len(tiny) // 2, 30_000, 20_000, 2000):
        data = tiny[:cut]
        head, asked = reads_of(data)
        assert max(asked) <= cut and problem(head, data[-TAIL_BYTES:], cut) == TRUNCATED, cut
        assert problem(data[:HEAD_BYTES], data[-TAIL_BYTES:], cut) is None  # the header alone passes
    assert problem(reads_of(tiny)[0], tiny[-TAIL_BYTES:], len(tiny)) is None


def test_a_gguf_with_nonsense_metadata_is_damaged() -> None:
    data = bytearray(small_model())
    struct.pack_into("<Q", data, 24, 1 << 40)  # the first key's length
    assert problem(reads_of(bytes(data))[0], bytes(data[-TAIL_BYTES:]), len(data)) == DAMAGED


def test_files_of_other_formats_are_read_no_further_than_their_header() -> None:
    for data in (task(), b"LITERTLM" + bytes(2000), b"hello world " * 200):
        assert reads_of(data)[1] == [HEAD_BYTES]
