"""Builds the tiny Gemma-4-shaped ONNX model into the test-model cache, once per recipe.

    .venv/bin/python -m tests.models.gemma4.build [--print-path]

The folder is `$TABULA_CACHE/models/gemma4-<key>/tiny-gemma4/` (<key> hashes this package's
sources), written under a temporary name and renamed into place, under the same lock file as
tests/models/build_models.py. It holds the fp32 sessions (`onnx/<session>.onnx` +
`.onnx_data`) and the q4 ones (`_q4`), plus the config, processor and tokenizer files: the
exact file set Transformers.js 4.3.2 asks for. About a second on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import onnx

from tests.models.gemma4 import quantize, sessions, text
from tests.models.gemma4.graph import save

HERE = Path(__file__).resolve().parent
NAME = "tiny-gemma4"
SESSIONS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")


def cache_root() -> Path:
    return Path(os.environ.get("TABULA_CACHE") or Path.home() / ".cache" / "tabula").expanduser().resolve()


def recipe_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(HERE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def model_dir(cache: Path | None = None) -> Path:
    return (cache or cache_root()) / "models" / f"gemma4-{recipe_key()}" / NAME


@contextlib.contextmanager
def lock(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def graphs(vocab_ids: dict[str, int], vocab: int, banned: list[int]) -> dict[str, onnx.ModelProto]:
    """The four fp32 sessions, from one seeded weight stream."""
    w = sessions.Weights(0)
    embed, per_layer = w(vocab, sessions.H, scale=0.5), w(vocab, sessions.L * sessions.PLE, scale=0.5)
    return {
        "embed_tokens": sessions.embed_tokens(w, embed, per_layer, vocab_ids),
        "decoder_model_merged": sessions.Decoder(w, embed, banned).build(vocab),
        "vision_encoder": sessions.vision_encoder(w),
        "audio_encoder": sessions.audio_encoder(w),
    }


def write_model(out: Path) -> None:
    """Every file of the model into `out`."""
    (out / "onnx").mkdir(parents=True)
    tok = text.tokenizer()
    text.write_files(out, tok)
    ids = {t: tok.token_to_id(t) for t in text.SPECIALS}
    for name, model in graphs(ids, tok.get_vocab_size(), text.banned(tok)).items():
        q4 = quantize.quantized(model)  # first: saving moves the weights out of `model`
        save(model, out / "onnx", name)
        save(q4, out / "onnx", f"{name}_q4")


def build(cache: Path | None = None) -> Path:
    """The model's folder, built first if missing."""
    cache = cache or cache_root()
    out = model_dir(cache)
    if out.is_dir():
        return out
    with lock(cache):
        if out.is_dir():
            return out
        tmp = out.with_name(f".{NAME}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            write_model(tmp)
            os.replace(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the tiny Gemma-4-shaped ONNX test model.")
    parser.add_argument("--print-path", action="store_true", help="print only the folder's path")
    args = parser.parse_args(argv)
    out = build()
    if not args.print_path:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                print(f"{path.stat().st_size:>10}  {path.relative_to(out)}", file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
