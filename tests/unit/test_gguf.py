"""models.gguf: the size a GGUF's own layout asks for, on the real test models (cross-checked with
gguf-py, the `gguf` package pinned in tests/models/requirements.txt, run in the conversion venv),
on every cut inside the metadata, and on damaged bytes."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tabula.models.gguf import GGML_BLOCKS, Layout, layout
from tests.gguf_bytes import ARRAY, STRING, gguf_file, small_model, text

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "models"
GGUF_PY = """
import json, sys
import gguf
sizes = {int(t): list(gguf.GGML_QUANT_SIZES[t]) for t in gguf.GGMLQuantizationType if t in gguf.GGML_QUANT_SIZES}
ends = {}
for path in sys.argv[1:]:
    reader = gguf.GGUFReader(path)
    ends[path] = [int(reader.data_offset), max(int(t.data_offset) + int(t.n_bytes) for t in reader.tensors)]
print(json.dumps({"sizes": sizes, "ends": ends}))
"""
VENV = (
    "import sys; sys.path.insert(0, sys.argv[1]); import build_models, conversion_venv;"
    "print(conversion_venv.venv_python(conversion_venv.venv_dir(build_models.cache_root())))"
)


def built(which: str) -> Path:
    """A project-built test model (built on first use; the conversion venv comes with it)."""
    done = subprocess.run(
        [sys.executable, str(MODELS / "build_models.py"), "--print-path", which],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def real_files() -> dict[str, Path]:
    return {"tiny": built("tiny-gguf"), "real": built("real-gguf")}


@pytest.fixture(scope="module")
def gguf_py(real_files: dict[str, Path]) -> dict:
    """What gguf-py says: its block table and, per real file, (data start, furthest tensor end)."""
    python = subprocess.run(
        [sys.executable, "-c", VENV, str(MODELS)], capture_output=True, text=True, check=True
    ).stdout.strip()
    paths = [str(path) for path in real_files.values()]
    done = subprocess.run([python, "-c", GGUF_PY, *paths], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def prefix(path: Path, size: int = 16 << 20) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def test_the_block_table_is_gguf_pys(gguf_py: dict) -> None:
    assert {int(k): tuple(v) for k, v in gguf_py["sizes"].items()} == GGML_BLOCKS


@pytest.mark.parametrize("which", ["tiny", "real"])
def test_a_real_gguf_asks_for_exactly_its_size(
    which: str, real_files: dict[str, Path], gguf_py: dict
) -> None:
    path = real_files[which]
    data_start, end = gguf_py["ends"][str(path)]
    assert layout(prefix(path)) == Layout(size=path.stat().st_size)
    assert end == path.stat().st_size and metadata_end(prefix(path)) <= data_start


def metadata_end(data: bytes) -> int:
    """The least prefix that gives the size (the tensor table's end)."""
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if layout(data[:middle]).size else (middle + 1, high)
    return low


def test_every_cut_inside_the_metadata_asks_for_more() -> None:
    data = small_model()
    end = metadata_end(data)
    assert 0 < end < len(data) - 20_000
    for cut in range(end):
        found = layout(data[:cut])
        assert found.size is None and not found.broken, cut
        assert cut < found.need <= end, cut
    assert layout(data[:end]) == Layout(size=len(data))


def test_cuts_inside_the_tiny_models_metadata_ask_for_more(real_files: dict[str, Path]) -> None:
    data = prefix(real_files["tiny"])
    end = metadata_end(data)
    for cut in [*range(0, end, 37), *range(end - 300, end)]:
        found = layout(data[:cut])
        assert found.size is None and not found.broken and cut < found.need <= end, cut


def test_the_alignment_key_moves_the_data_section() -> None:
    for alignment in (32, 64, 4096):
        data = small_model(alignment)
        last_padding = -256 % alignment  # the writer pads the last tensor (256 bytes) too
        assert layout(data) == Layout(size=len(data) - last_padding), alignment


def test_bytes_after_the_last_tensor_do_not_change_the_size() -> None:
    data = small_model()
    assert layout(data + bytes(1000)) == Layout(size=len(data))


def key(name: str, kind: int, raw: bytes) -> bytes:
    return text(name) + struct.pack("<I", kind) + raw


def header(tensors: int, keys: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, tensors, keys)


def tensor(name: str, dims: tuple[int, ...], kind: int, offset: int) -> bytes:
    return text(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, kind, offset)


BROKEN = {
    "unknown value type": header(1, 1) + key("a", 13, b"\0" * 8),
    "unknown array element type": header(1, 1) + key("a", ARRAY, struct.pack("<IQ", 99, 2)),
    "absurd string length": header(1, 1) + key("a", STRING, struct.pack("<Q", 1 << 40)),
    "absurd key length": header(1, 1) + struct.pack("<Q", 1 << 50),
    "absurd array length": header(1, 1) + key("a", ARRAY, struct.pack("<IQ", 0, 1 << 40)),
    "absurd string in an array": header(1, 1)
    + key("v", ARRAY, struct.pack("<IQ", STRING, 3) + text("ok") + struct.pack("<Q", 1 << 45)),
    "alignment not a power of two": header(1, 1) + key("general.alignment", 4, struct.pack("<I", 48)),
    "unknown ggml type": header(1, 0) + tensor("t", (32,), 4, 0),  # 4 and 5 were Q4_2, Q4_3: gone
    "five dimensions": header(1, 0) + tensor("t", (1, 1, 1, 1, 1), 0, 0),
    "a row not made of whole blocks": header(1, 0) + tensor("t", (33, 2), 8, 0),
    "misaligned offset": header(1, 0) + tensor("t", (32,), 0, 8),
    "tensor name too long": header(1, 0) + tensor("t" * 64, (32,), 0, 0),
    "overlapping tensors": header(2, 0) + tensor("a", (64,), 0, 0) + tensor("b", (64,), 0, 128),
    "version 1": b"GGUF" + struct.pack("<IQQ", 1, 1, 0) + bytes(100),
    "no tensors": header(0, 0) + bytes(100),
    "no magic": b"GGML" + bytes(100),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_damaged_layouts_are_broken(data: bytes) -> None:
    found = layout(data + bytes(4096))
    assert found.broken and found.size is None, found


def test_a_corrupted_type_byte_in_the_real_tiny_model_is_broken(real_files: dict[str, Path]) -> None:
    data = bytearray(prefix(real_files["tiny"]))
    name = text("token_embd.weight")
    at = data.index(name) + len(name)
    n_dims = struct.unpack_from("<I", data, at)[0]
    struct.pack_into("<I", data, at + 4 + 8 * n_dims, 77)  # its ggml type
    assert "unknown ggml type 77" in layout(bytes(data)).broken


def test_tensors_in_any_order_end_at_the_furthest() -> None:
    data = gguf_file([], [("a", (64,), 0), ("b", (32, 2), 1)])
    swapped = header(2, 0) + tensor("b", (32, 2), 1, 256) + tensor("a", (64,), 0, 0)
    data_start = 128  # 24 header bytes and two 41-byte records, rounded up to 32
    assert layout(data).size == len(data) and layout(swapped).size == data_start + 256 + 128
