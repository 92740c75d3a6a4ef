"""Conversion entry point, run by build_models.py with the conversion venv's Python.

Usage: python convert_model.py {tiny,real} OUT_TASK
Owns the order of one model's build: make tokenizer and decoder, export the .tflite, check it by
greedy decoding on the LiteRT CPU interpreter, pack the `.task` at OUT_TASK. OUT_TASK is a
temporary name: build_models.py checks the bundle and renames it into the cache. Imports torch,
litert-torch and friends (through the sibling modules), so it never runs outside that venv.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import litert_export
import task_bundle
import tflite_greedy

TINY_PROMPT = "Hello world"
TINY_STEPS = 64
REAL_STEPS = 12
REAL_CONTINUATION = " the capital of"


def _log(message: str) -> None:
    """Progress line on stderr."""
    print(f"[convert] {message}", file=sys.stderr, flush=True)


def build_tiny(work: Path) -> tuple[Path, Path]:
    """Exports the tiny model; returns (.tflite, tokenizer.model) and checks its output."""
    import tiny_model

    tokenizer = tiny_model.train_tokenizer()
    silent = tiny_model.non_normal_ids(tokenizer)
    tflite = litert_export.export_tflite(tiny_model.build_decoder(silent), work, "tiny")
    ids = _greedy(tflite, tokenizer, TINY_PROMPT, TINY_STEPS)
    if set(ids) & set(silent):
        raise AssertionError(f"tiny model emitted a stop/control/byte token: {ids}")
    if len(set(ids)) < TINY_STEPS // 4:
        raise AssertionError(f"tiny model output is too repetitive: {ids}")
    return tflite, _write(work / "tokenizer.model", tokenizer)


def build_real(work: Path) -> tuple[Path, Path]:
    """Exports Gemma 3 270M; returns (.tflite, tokenizer.model) and checks its continuation."""
    import gguf_tokenizer
    import real_model

    checkpoint, tokenizer = real_model.prepare_checkpoint(work)
    tflite = litert_export.export_tflite(real_model.build_decoder(checkpoint), work, "gemma3_270m")
    for path in checkpoint.iterdir():
        path.unlink()
    _greedy(tflite, tokenizer, gguf_tokenizer.CAPITAL_PROMPT, REAL_STEPS, REAL_CONTINUATION)
    return tflite, _write(work / "tokenizer.model", tokenizer)


def _greedy(tflite: Path, tokenizer: bytes, prompt: str, steps: int, expect: str = "") -> list[int]:
    """Greedy-decodes `prompt` after <bos>, logs the text, checks it starts with `expect`."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=tokenizer)
    ids = tflite_greedy.greedy_ids(tflite, [sp.bos_id(), *sp.encode(prompt)], steps)
    text = sp.decode(ids)
    _log(f"greedy {prompt!r} -> {text!r}")
    if not text.startswith(expect):
        raise AssertionError(f"expected the continuation to start with {expect!r}")
    return ids


def _write(path: Path, data: bytes) -> Path:
    """Writes bytes and returns the path."""
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    """Builds one model into the given `.task` path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=("tiny", "real"))
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    litert_export.alias_tensorflow_schema()
    build = build_tiny if args.model == "tiny" else build_real
    with tempfile.TemporaryDirectory(prefix=f".work-{args.model}-", dir=args.out.parent) as work:
        tflite, tokenizer = build(Path(work))
        task_bundle.pack_task(tflite, tokenizer, args.out)
    problems = task_bundle.check_task(args.out)
    if problems:
        raise AssertionError(f"bad bundle {args.out}: {problems}")
    _log(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
