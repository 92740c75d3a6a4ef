"""models.format: the format sniffed from a model's head (MediaPipe's and GGUF), and whether a
zip bundle is whole."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from tabula.models.format import (
    HEAD_BYTES,
    NOT_A_MODEL,
    TAIL_BYTES,
    TRUNCATED,
    model_format,
    problem,
    zip_is_whole,
)


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
