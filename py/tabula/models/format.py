"""Is a file a model one of the local engines can take, and is it whole? Pure.

MediaPipe's web loader takes .task/.tflite/.litertlm; the CPU engine (wllama, llama.cpp) takes
GGUF; Transformers.js takes an ONNX model *set* (format "onnx": a folder of config, processor and
tokenizer files with its sessions under onnx/, as the Hub's onnx-community repositories lay it
out; family gemma4 for images and audio), judged by its file names (`set_format`). A file is
judged from a few bytes only (the head and the tail), so a multi-GB file never enters Python:
a zip's end record must fit, and a GGUF's own layout (models/gguf.py, read from a head that
`read_head` grows until the metadata ends) must fit in the file. Bytes after a GGUF's last
tensor are allowed: llama.cpp only checks that each tensor ends inside the file. Used by the app
for imported files and downloads, and by build.py for embedded models.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable, Iterable

from tabula.i18n.translate import N_, tr
from tabula.models import gguf

HEAD_BYTES = 24  # MediaPipe sniffs 8; a GGUF header's magic, version and two counts are 24
TAIL_BYTES = 65_536 + 22  # a zip's end record sits in its last 64 KB + 22 bytes
WEB_FORMATS = "a TFLite flatbuffer, a zip bundle after a 4-byte header, .litertlm, or GGUF"
NOT_A_MODEL = N_(
    "This is not a model file the app can use. Choose a web .task file "
    "(for example gemma3-1b-it-int4-web.task) or a .gguf file."
)
TRUNCATED = N_("This model file is incomplete (it ends too early). Copy it again and retry.")
DAMAGED = N_(
    "This .gguf file is damaged: its contents do not describe a model the app can read. "
    "Copy it again from where it came from, or choose another file."
)
FIRST_PREFIX = 1 << 20  # a small model's GGUF metadata fits; Gemma 3's (262,144 tokens) is 6.5 MB
MAX_PREFIX = 64 << 20  # past this, the layout stays unknown and the load will tell


def model_format(head: bytes) -> str | None:
    """The format MediaPipe tasks-genai 0.10.29 sniffs from a model's first 8 bytes, or "gguf"
    for a GGUF file with a sane header (llama.cpp's, for the CPU engine), or None."""
    if head[4:8] == b"TFL3":
        return "tflite"
    if head[4:6] == b"PK":
        return "task-zip"
    if head[:8] == b"LITERTLM":
        return "litertlm"
    if head[:4] == b"GGUF":
        return "gguf" if gguf_header_ok(head) else None
    return None


ONNX_SET = "onnx"
SET_NEEDS = ("config.json", "tokenizer.json")


def set_format(paths: Iterable[str]) -> str | None:
    """ "onnx" for a set of files (paths relative to the model's folder) Transformers.js can
    load: its config and tokenizer, and at least one session under onnx/; else None."""
    names = set(paths)
    sessions = any(p.startswith("onnx/") and p.endswith(".onnx") for p in names)
    return ONNX_SET if sessions and all(need in names for need in SET_NEEDS) else None


def gguf_header_ok(head: bytes) -> bool:
    """A GGUF header llama.cpp can start on: a known version, at least one tensor and sane
    counts (little-endian uint32 version, uint64 tensor and metadata counts after the magic)."""
    if len(head) < 24:
        return False
    version, tensors, keys = struct.unpack_from("<IQQ", head, 4)
    return version in gguf.VERSIONS and 0 < tensors <= gguf.MAX_TENSORS and keys <= gguf.MAX_KEYS


def problem(head: bytes, tail: bytes, size: int) -> str | None:
    """Why this file cannot be loaded, or None when it looks whole and loadable."""
    kind = model_format(head)
    if size < 1024 or kind is None:
        return tr(NOT_A_MODEL)
    if kind == "task-zip" and not zip_is_whole(tail, size):
        return tr(TRUNCATED)
    fault = gguf_fault(head, size) if kind == "gguf" else None
    return tr(TRUNCATED if fault == "truncated" else DAMAGED) if fault else None


def gguf_fault(head: bytes, size: int) -> str | None:
    """ "truncated" when a GGUF's layout needs more than `size` bytes, "damaged" when its metadata
    is nonsense, else None (whole, or its metadata runs on past `head`: not known yet)."""
    found = gguf.layout(head)
    if found.broken:
        return "damaged"
    return "truncated" if max(found.size or 0, found.need) > size else None


def head_wanted(head: bytes, size: int) -> int:
    """How many first bytes judging the file takes, when more than `head` (else 0): a GGUF's
    whole metadata, read in doubling steps (never past the file or MAX_PREFIX)."""
    if model_format(head) != "gguf" or len(head) >= min(size, MAX_PREFIX):
        return 0
    found = gguf.layout(head)
    if not found.need or found.need > size:
        return 0
    return min(size, MAX_PREFIX, max(FIRST_PREFIX, 2 * len(head), found.need))


async def read_head(read: Callable[[int], Awaitable[bytes]], size: int) -> bytes:
    """The head `problem` needs, from `read(n)` (a file's or a stored model's first n bytes; it
    may give fewer, as a stored model's first chunk does)."""
    head = await read(min(HEAD_BYTES, size))
    while want := head_wanted(head, size):
        more = await read(want)
        if len(more) <= len(head):
            break
        head = more
    return head


def zip_is_whole(tail: bytes, size: int) -> bool:
    """True when the zip's end record is present and its central directory fits in the file."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    cd_size, cd_offset = struct.unpack_from("<II", tail, at + 12)
    end_record = size - len(tail) + at
    return cd_offset + cd_size <= end_record
