"""Is a file a model one of the local engines can take, and is it whole? Pure.

MediaPipe's web loader takes .task/.tflite/.litertlm; the CPU engine (wllama, llama.cpp) takes
GGUF. Judged from a few bytes only (the head and the tail), so a multi-GB file never enters
Python. Used by the app for imported files and downloads, and by build.py for embedded models.
"""

from __future__ import annotations

import struct

from tabula.i18n.translate import N_, tr

HEAD_BYTES = 24  # MediaPipe sniffs 8; a GGUF header's magic, version and two counts are 24
TAIL_BYTES = 65_536 + 22  # a zip's end record sits in its last 64 KB + 22 bytes
WEB_FORMATS = "a TFLite flatbuffer, a zip bundle after a 4-byte header, .litertlm, or GGUF"
NOT_A_MODEL = N_(
    "This is not a model file the app can use. Choose a web .task file "
    "(for example gemma3-1b-it-int4-web.task) or a .gguf file."
)
GGUF_VERSIONS = (2, 3)  # llama.cpp reads these (1 is long gone)
GGUF_MAX_TENSORS = 1 << 20  # far above any real model: a bigger count is garbage
GGUF_MAX_KEYS = 1 << 16
TRUNCATED = N_("This model file is incomplete (it ends too early). Copy it again and retry.")


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


def gguf_header_ok(head: bytes) -> bool:
    """A GGUF header llama.cpp can start on: a known version, at least one tensor and sane
    counts (little-endian uint32 version, uint64 tensor and metadata counts after the magic)."""
    if len(head) < 24:
        return False
    version, tensors, keys = struct.unpack_from("<IQQ", head, 4)
    return version in GGUF_VERSIONS and 0 < tensors <= GGUF_MAX_TENSORS and keys <= GGUF_MAX_KEYS


def problem(head: bytes, tail: bytes, size: int) -> str | None:
    """Why this file cannot be loaded, or None when it looks whole and loadable."""
    kind = model_format(head)
    if size < 1024 or kind is None:
        return tr(NOT_A_MODEL)
    if kind == "task-zip" and not zip_is_whole(tail, size):
        return tr(TRUNCATED)
    return None


def zip_is_whole(tail: bytes, size: int) -> bool:
    """True when the zip's end record is present and its central directory fits in the file."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    cd_size, cd_offset = struct.unpack_from("<II", tail, at + 12)
    end_record = size - len(tail) + at
    return cd_offset + cd_size <= end_record
