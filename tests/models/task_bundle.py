"""Packs and checks MediaPipe LLM `.task` bundles, with the standard library only.

Owns the `.task` layout: a stored (uncompressed) zip whose entries start on 4-byte boundaries,
with fixed 1980-01-01 timestamps, holding TF_LITE_PREFILL_DECODE (the .tflite), TOKENIZER_MODEL
(the SentencePiece model) and METADATA (a serialized `odml.infra.proto.LlmParameters`).
Imports nothing outside the standard library, so it runs on the host and in the conversion venv.

Web quirk (seen in @mediapipe/tasks-genai 0.10.29): the web loader sniffs the first bytes and
accepts a zip bundle only when bytes 4-5 are "PK", i.e. after a 4-byte header; a plain zip fails
with "No model format matched.". So the bundle starts with WEB_HEADER (4 zero bytes) and the zip
follows with absolute offsets: still a valid zip for every reader, and loadable on the web.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

TFLITE_ENTRY = "TF_LITE_PREFILL_DECODE"
TOKENIZER_ENTRY = "TOKENIZER_MODEL"
METADATA_ENTRY = "METADATA"
ENTRY_ORDER = (TFLITE_ENTRY, TOKENIZER_ENTRY, METADATA_ENTRY)

START_TOKEN = "<bos>"
STOP_TOKENS = ("<eos>", "<end_of_turn>")

ALIGNMENT = 4
WEB_HEADER = bytes(4)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER_SIZE = 30
_ALIGN_EXTRA_ID = 0xD935  # the extra-field id Android's zipalign uses for padding
# odml.infra.proto.LlmParameters (mediapipe/tasks/cc/genai/inference/proto/llm_params.proto):
#   repeated string stop_tokens = 5;  oneof start_token_union { string start_token = 6; }
_STOP_TOKENS_FIELD = 5
_START_TOKEN_FIELD = 6


def _varint(value: int) -> bytes:
    """Encodes a non-negative int as a protobuf base-128 varint."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _string_field(number: int, text: str) -> bytes:
    """Encodes one length-delimited (wire type 2) protobuf field."""
    data = text.encode("utf-8")
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def llm_parameters(start_token: str = START_TOKEN, stop_tokens: tuple[str, ...] = STOP_TOKENS) -> bytes:
    """Serializes LlmParameters{stop_tokens, start_token} in protobuf's field-number order."""
    fields = [_string_field(_STOP_TOKENS_FIELD, token) for token in stop_tokens]
    fields.append(_string_field(_START_TOKEN_FIELD, start_token))
    return b"".join(fields)


def _entry_info(name: str, size: int, offset: int) -> zipfile.ZipInfo:
    """A stored, fixed-time ZipInfo whose data will start on an ALIGNMENT boundary."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.file_size = size
    unpadded = offset + _LOCAL_HEADER_SIZE + len(name.encode()) + 6
    padding = -unpadded % ALIGNMENT
    info.extra = struct.pack("<HHH", _ALIGN_EXTRA_ID, 2 + padding, ALIGNMENT) + bytes(padding)
    return info


def pack_task(tflite: Path, tokenizer: Path, out: Path) -> None:
    """Writes the three entries to `out` (which the caller renames into place)."""
    metadata = llm_parameters()
    with out.open("wb") as raw:
        raw.write(WEB_HEADER)
        _pack_zip(raw, tflite, tokenizer, metadata)


def _pack_zip(raw: BinaryIO, tflite: Path, tokenizer: Path, metadata: bytes) -> None:
    """The zip part of the bundle, written after the web header."""
    with (
        zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=False) as zf,
    ):
        _copy_entry(zf, raw, TFLITE_ENTRY, tflite)
        _copy_entry(zf, raw, TOKENIZER_ENTRY, tokenizer)
        zf.writestr(_entry_info(METADATA_ENTRY, len(metadata), raw.tell()), metadata)


def _copy_entry(zf: zipfile.ZipFile, raw: BinaryIO, name: str, source: Path) -> None:
    """Streams a large file into the zip without holding it in memory."""
    info = _entry_info(name, source.stat().st_size, raw.tell())
    with source.open("rb") as src, zf.open(info, "w") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def _data_offset(raw: BinaryIO, info: zipfile.ZipInfo) -> int:
    """Offset of an entry's data, read from its local header."""
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER_SIZE)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + _LOCAL_HEADER_SIZE + name_len + extra_len


def check_task(path: Path) -> list[str]:
    """Returns the problems found in a `.task` file (empty when it is well formed)."""
    problems: list[str] = []
    with path.open("rb") as raw, zipfile.ZipFile(raw) as zf:
        if raw.seek(0) != 0 or raw.read(6) != WEB_HEADER + b"PK":
            problems.append("missing the 4-byte web header before the zip")
        infos = zf.infolist()
        if tuple(i.filename for i in infos) != ENTRY_ORDER:
            problems.append(f"entries {[i.filename for i in infos]} != {list(ENTRY_ORDER)}")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                problems.append(f"{info.filename} is compressed")
            if info.date_time != _FIXED_TIME:
                problems.append(f"{info.filename} has timestamp {info.date_time}")
            if _data_offset(raw, info) % ALIGNMENT:
                problems.append(f"{info.filename} data is not {ALIGNMENT}-byte aligned")
        if METADATA_ENTRY in zf.namelist() and zf.read(METADATA_ENTRY) != llm_parameters():
            problems.append("METADATA differs from LlmParameters(<bos>; <eos>, <end_of_turn>)")
        if zf.testzip() is not None:
            problems.append("CRC mismatch")
    return problems
