"""Holds the tiny model's tensor contract against a real model set's: the names, element types
and ranks each session's graph declares for its inputs and outputs, read from the `.onnx` graph
files alone (their weights, in `.onnx_data`, are never read: a real session's graph is a few MB).

    .venv/bin/python -m tests.models.gemma4.contract REAL_SET_FOLDER [--dtype q4f16]

compares our fp32 sessions with the real set's sessions of `--dtype` and prints every difference
(exit 1 if any). The layer count differs by design (`past_key_values.<i>.key` is compared as
`past_key_values.*.key`), and so does float precision across dtypes (`float16` and `float` are
one "float" unless `--exact`). Transformers.js needs the batch dimension named `batch_size`:
that is checked too.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import onnx

SESSIONS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")
SUFFIX = {"fp32": "", "fp16": "_fp16", "q4": "_q4", "q4f16": "_q4f16", "q8": "_quantized"}
LAYERED = re.compile(r"^(past_key_values|present)\.\d+\.")
FLOATS = {"FLOAT", "FLOAT16", "BFLOAT16"}


@dataclass(frozen=True)
class Tensor:
    """One graph input or output: its element type's name, rank and named dimensions."""

    elem: str
    rank: int
    dims: tuple[str, ...]  # symbolic dimension names ("" for a number)


def tensors(values: list) -> dict[str, Tensor]:
    found = {}
    for value in values:
        kind = value.type.tensor_type
        dims = tuple(d.dim_param for d in kind.shape.dim)
        found[value.name] = Tensor(onnx.TensorProto.DataType.Name(kind.elem_type), len(dims), dims)
    return found


def signature(path: Path) -> dict[str, dict[str, Tensor]]:
    """{"inputs": {name: Tensor}, "outputs": {...}} of one session's graph (no weights read)."""
    graph = onnx.load(str(path), load_external_data=False).graph
    return {"inputs": tensors(list(graph.input)), "outputs": tensors(list(graph.output))}


def collapsed(found: dict[str, Tensor]) -> dict[str, Tensor]:
    """Layer-numbered names as one pattern each, described by the first layer's tensor."""
    return {LAYERED.sub(r"\1.*.", name): tensor for name, tensor in sorted(found.items(), reverse=True)}


def differences(ours: Path, real: Path, exact: bool = False) -> list[str]:
    """What our session declares differently from the real one (empty: the same contract)."""
    a, b = signature(ours), signature(real)
    problems = []
    for side in ("inputs", "outputs"):
        mine, theirs = collapsed(a[side]), collapsed(b[side])
        for name in sorted(set(mine) ^ set(theirs)):
            problems.append(
                f"{real.name} {side}: {name} only in {'ours' if name in mine else 'the real one'}"
            )
        for name in sorted(set(mine) & set(theirs)):
            problems += tensor_problems(f"{real.name} {side} {name}", mine[name], theirs[name], exact)
    return problems


def tensor_problems(where: str, mine: Tensor, theirs: Tensor, exact: bool) -> list[str]:
    problems = []
    same = mine.elem == theirs.elem or (not exact and {mine.elem, theirs.elem} <= FLOATS)
    if not same:
        problems.append(f"{where}: {mine.elem} in ours, {theirs.elem} in the real one")
    if mine.rank != theirs.rank:
        problems.append(f"{where}: rank {mine.rank} in ours, {theirs.rank} in the real one")
    if mine.dims[:1] == ("batch_size",) and theirs.dims[:1] != ("batch_size",):
        problems.append(f"{where}: batch dimension {theirs.dims[:1]} in the real one")
    return problems


def compare(ours: Path, real: Path, dtype: str = "q4f16", exact: bool = False) -> list[str]:
    """Every difference between our set (fp32) and the real set's `dtype` sessions; a session
    the real set does not have in that dtype is one difference."""
    problems = []
    for session in SESSIONS:
        theirs = real / "onnx" / f"{session}{SUFFIX[dtype]}.onnx"
        if not theirs.is_file():
            problems.append(f"{theirs.name}: missing from the real set")
            continue
        problems += differences(ours / "onnx" / f"{session}.onnx", theirs, exact)
    return problems


def main(argv: list[str] | None = None) -> int:
    from tests.models.gemma4 import build

    parser = argparse.ArgumentParser(description="Compare the tiny set's tensor contract with a real set's.")
    parser.add_argument("real", type=Path, help="a real model set's folder (config.json, onnx/...)")
    parser.add_argument("--dtype", default="q4f16", choices=sorted(SUFFIX))
    parser.add_argument("--exact", action="store_true", help="float16 and float differ too")
    args = parser.parse_args(argv)
    problems = compare(build.build(), args.real, args.dtype, args.exact)
    print("\n".join(problems) or "same contract", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
