"""Small GGUF files written byte by byte for the unit tests (the GGUF v3 layout, little-endian).

`gguf_file(keys, tensors)` lays the tensors out as llama.cpp's writers do: in order, each one's
offset a multiple of the alignment, the data section after the padded header.
"""

from __future__ import annotations

import struct

FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING, ARRAY = 8, 9
BLOCKS = {0: (1, 4), 1: (1, 2), 8: (32, 34), 12: (256, 144), 14: (256, 210)}  # F32 F16 Q8_0 Q4_K Q6_K


def text(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack("<Q", len(raw)) + raw


def value(kind: int, item: object) -> bytes:
    """One typed value; an ARRAY's item is (element kind, [elements])."""
    if kind == STRING:
        return text(item)
    if kind == ARRAY:
        inner, elements = item
        return struct.pack("<IQ", inner, len(elements)) + b"".join(value(inner, e) for e in elements)
    return struct.pack("<" + FORMATS[kind], item)


def nbytes(kind: int, dims: tuple[int, ...]) -> int:
    block, size = BLOCKS[kind]
    elements = 1
    for dim in dims:
        elements *= dim
    return elements // block * size


def gguf_file(
    keys: list[tuple[str, int, object]],
    tensors: list[tuple[str, tuple[int, ...], int]],
    alignment: int = 32,
    version: int = 3,
) -> bytes:
    """A whole GGUF: `keys` as (name, value type, value), `tensors` as (name, dims, ggml type)."""
    out = [b"GGUF", struct.pack("<IQQ", version, len(tensors), len(keys))]
    out += [text(name) + struct.pack("<I", kind) + value(kind, item) for name, kind, item in keys]
    offset, data = 0, []
    for name, dims, kind in tensors:
        out.append(text(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, kind, offset))
        size = nbytes(kind, dims)
        padded = -(-size // alignment) * alignment
        data.append(bytes(range(256)) * (size // 256) + bytes(size % 256) + bytes(padded - size))
        offset += padded
    header = b"".join(out)
    return header + bytes(-len(header) % alignment) + b"".join(data)


def small_model(alignment: int = 32, chat_template: str | None = None) -> bytes:
    """A GGUF shaped like a little Gemma: strings, a vocabulary, nested arrays, three tensors
    (and `tokenizer.chat_template` after the vocabulary, as llama.cpp writes it, if given)."""
    keys = [
        ("general.architecture", STRING, "gemma3"),
        ("general.alignment", 4, alignment),
        ("gemma3.block_count", 4, 2),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, [f"tok{i}" for i in range(300)])),
        ("tokenizer.ggml.scores", ARRAY, (6, [0.5] * 300)),
        ("nested", ARRAY, (ARRAY, [(4, [1, 2, 3]), (STRING, ["a", "bc"])])),
        ("general.flag", 7, True),
    ]
    if chat_template is not None:
        keys.insert(5, ("tokenizer.chat_template", STRING, chat_template))
    tensors = [
        ("token_embd.weight", (256, 300), 12),
        ("blk.0.attn_q.weight", (64, 64), 8),
        ("norm", (64,), 0),
    ]
    return gguf_file(keys, tensors, alignment)
