"""How long a GGUF file must be, read from its first bytes (its metadata and tensor table). Pure.

A GGUF file (v2/v3, little-endian) is a header (magic, version, tensor and key counts), typed
key/value pairs, one record per tensor (name, dims, ggml type, offset into the data section),
then the tensor data from the header's end rounded up to `general.alignment` (32 by default).
`layout(prefix)` walks the first two parts and says how many bytes the whole file needs (the
data start plus the furthest tensor's end: what llama.cpp's bounds check asks), that the prefix
ends too early (and the least it must reach), or that the bytes are no GGUF llama.cpp reads.

Written by hand: gguf-py (the `gguf` package) needs numpy and a memory-mapped path, while the app
reads a browser File or stored chunks in slices and keeps multi-GB files out of Python. Arrays
of fixed-size values are skipped in one step, string arrays (a 262,144-token vocabulary) by
offsets only, so no big Python objects are built. tests/unit/test_gguf.py checks the type table
against gguf-py's GGML_QUANT_SIZES and the sizes against real files.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# ggml type id -> (elements per block, bytes per block), as in ggml.h / gguf-py 0.19.0.
GGML_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 40),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
    40: (64, 36),  # NVFP4
    41: (128, 18),  # Q1_0
}
# GGUF value type id -> its size in bytes (8 STRING and 9 ARRAY have none of their own).
FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY, UINT32 = 8, 9, 4
VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_NAME = 63  # GGML_MAX_NAME less its terminating zero
MAX_STRING = 1 << 26  # 64 MiB: far above any real key, token or template
MAX_COUNT = 1 << 28  # far above any real array (vocabularies are under a million)
MAX_TENSORS = 1 << 20
MAX_KEYS = 1 << 16
MAX_NESTING = 8
_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")


@dataclass(frozen=True)
class Layout:
    """What a GGUF prefix says: `size` (the bytes the whole file needs), or `need` (the prefix
    ends inside the metadata: it must be at least this long), or `broken` (why it is no GGUF)."""

    size: int | None = None
    need: int = 0
    broken: str = ""
    chat_template: str = ""  # `tokenizer.chat_template`, the model's own (Jinja) chat template


class NeedMore(Exception):
    def __init__(self, at_least: int) -> None:
        super().__init__(at_least)
        self.at_least = at_least


class Broken(Exception):
    pass


class _Reader:
    """Offsets into a prefix; raises NeedMore past its end, Broken on nonsense."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> int:
        start, self.at = self.at, self.at + n
        if self.at > len(self.data):
            raise NeedMore(self.at)
        return start

    def u32(self) -> int:
        return _U32.unpack_from(self.data, self.take(4))[0]

    def u64(self) -> int:
        return _U64.unpack_from(self.data, self.take(8))[0]

    def string(self, limit: int = MAX_STRING) -> bytes:
        n = self.u64()
        if n > limit:
            raise Broken(f"a string of {n} bytes at {self.at - 8}")
        start = self.take(n)
        return self.data[start : self.at]

    def skip_strings(self, count: int) -> None:
        """Walk `count` strings without copying them (the vocabulary)."""
        data, at, end, unpack = self.data, self.at, len(self.data), _U64.unpack_from
        for _ in range(count):
            if at + 8 > end:
                raise NeedMore(at + 8)
            (n,) = unpack(data, at)
            if n > MAX_STRING:
                raise Broken(f"a string of {n} bytes at {at}")
            at += 8 + n
        self.at = at
        if at > end:
            raise NeedMore(at)


def _skip_value(reader: _Reader, kind: int, depth: int = 0) -> None:
    if kind in FIXED_SIZES:
        reader.take(FIXED_SIZES[kind])
    elif kind == STRING:
        reader.string()
    elif kind == ARRAY and depth < MAX_NESTING:
        _skip_array(reader, depth + 1)
    else:
        raise Broken(f"value type {kind} at {reader.at - 4}")


def _skip_array(reader: _Reader, depth: int) -> None:
    kind, count = reader.u32(), reader.u64()
    if count > MAX_COUNT:
        raise Broken(f"an array of {count} values at {reader.at - 12}")
    if kind in FIXED_SIZES:
        reader.take(FIXED_SIZES[kind] * count)
    elif kind == STRING:
        reader.skip_strings(count)
    else:
        for _ in range(count):
            _skip_value(reader, kind, depth)


def _keys(reader: _Reader, count: int) -> tuple[int, str]:
    """Walk the key/value pairs; the data section's alignment and the chat template."""
    alignment, template = DEFAULT_ALIGNMENT, ""
    for _ in range(count):
        key, kind = reader.string(), reader.u32()
        if key == b"general.alignment" and kind == UINT32:
            alignment = reader.u32()
            if alignment == 0 or alignment & (alignment - 1):
                raise Broken(f"general.alignment {alignment}")
        elif key == b"tokenizer.chat_template" and kind == STRING:
            template = reader.string().decode("utf-8", "replace")
        else:
            _skip_value(reader, kind)
    return alignment, template


def _tensor(reader: _Reader, alignment: int) -> tuple[int, int]:
    """One tensor record: its (offset, length in bytes) in the data section."""
    name, n_dims = reader.string(MAX_NAME), reader.u32()
    if n_dims > MAX_DIMS:
        raise Broken(f"tensor {name!r} has {n_dims} dimensions")
    dims = struct.unpack_from(f"<{n_dims}Q", reader.data, reader.take(8 * n_dims))
    kind, offset = reader.u32(), reader.u64()
    if kind not in GGML_BLOCKS:
        raise Broken(f"tensor {name!r} has unknown ggml type {kind}")
    block, block_bytes = GGML_BLOCKS[kind]
    elements = 1
    for dim in dims:
        elements *= dim
    if any(dim >= 1 << 63 for dim in dims) or (dims and dims[0] % block) or elements >= 1 << 62:
        raise Broken(f"tensor {name!r} has shape {dims} for ggml type {kind}")
    if offset % alignment:
        raise Broken(f"tensor {name!r} starts at {offset}, not a multiple of {alignment}")
    return offset, elements // block * block_bytes


def _data_end(spans: list[tuple[int, int]]) -> int:
    """Where the furthest tensor ends, refusing tensors that overlap."""
    end = 0
    for offset, length in sorted(spans):
        if offset < end:
            raise Broken(f"tensor data at {offset} overlaps the tensor before it")
        end = offset + length
    return end


def _walk(prefix: bytes) -> tuple[int, str]:
    reader = _Reader(prefix)
    if reader.data[reader.take(4) : reader.at] != b"GGUF":
        raise Broken("no GGUF magic")
    version, tensors, keys = reader.u32(), reader.u64(), reader.u64()
    if version not in VERSIONS or not 0 < tensors <= MAX_TENSORS or keys > MAX_KEYS:
        raise Broken(f"header: version {version}, {tensors} tensors, {keys} keys")
    alignment, template = _keys(reader, keys)
    spans = [_tensor(reader, alignment) for _ in range(tensors)]
    data_start = -(-reader.at // alignment) * alignment
    return data_start + _data_end(spans), template


# The chat template families the app renders (engine/prompt.py's TEMPLATES), told apart by the
# markers each family's template spells out; the first that matches wins.
FAMILY_MARKERS = (
    ("gemma4", ("<|turn>",)),
    ("gemma3", ("<start_of_turn>",)),
    ("chatml", ("<|im_start|>",)),  # Qwen, SmolLM, Hermes…
    ("llama3", ("<|start_header_id|>",)),
    ("phi3", ("<|user|>", "<|end|>")),
    ("mistral", ("[INST]",)),
)


def family_of(chat_template: str) -> str | None:
    """The family whose turns `chat_template` (a GGUF's own, Jinja) spells, or None when the app
    knows no such family (then the model is prompted as plain text to continue)."""
    for family, markers in FAMILY_MARKERS:
        if all(marker in chat_template for marker in markers):
            return family
    return None


def layout(prefix: bytes) -> Layout:
    """The whole file's size a GGUF prefix implies, or why it cannot say (see Layout)."""
    try:
        size, template = _walk(prefix)
        return Layout(size=size, chat_template=template)
    except NeedMore as short:
        return Layout(need=short.at_least)
    except Broken as why:
        return Layout(broken=str(why))
