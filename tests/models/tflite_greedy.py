"""Greedy decoding of an exported .tflite with the LiteRT CPU interpreter, to verify a build.

Owns the calling convention of the exported signatures (`prefill_32` and `decode`, inputs
tokens / input_pos / mask / kv_cache_{k,v}_<layer>, logits from decode only), the same one the
MediaPipe engine drives in the browser. Runs only inside the conversion venv (numpy,
ai-edge-litert).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from litert_export import KV_CACHE_MAX_LEN, PREFILL_SEQ_LEN

_MASKED = np.finfo(np.float32).min


def causal_mask(positions: np.ndarray) -> np.ndarray:
    """[1, 1, len(positions), KV] mask: 0 where the cache slot is at or before the position."""
    slots = np.arange(KV_CACHE_MAX_LEN)[None, :]
    mask = np.where(slots <= positions[:, None], 0.0, _MASKED).astype(np.float32)
    return mask[None, None]


def _empty_cache(runner: object) -> dict[str, np.ndarray]:
    """Zeroed KV cache tensors, one per kv_cache_* input of a signature."""
    details = runner.get_input_details()
    return {n: np.zeros(d["shape"], d["dtype"]) for n, d in details.items() if n.startswith("kv_cache")}


def _prefill(runner: object, ids: list[int], cache: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Runs the prefill signature on `ids` (padded to PREFILL_SEQ_LEN) and returns the new cache."""
    if len(ids) > PREFILL_SEQ_LEN:
        raise ValueError(f"prompt of {len(ids)} tokens does not fit prefill {PREFILL_SEQ_LEN}")
    tokens = np.zeros((1, PREFILL_SEQ_LEN), np.int32)
    tokens[0, : len(ids)] = ids
    positions = np.arange(PREFILL_SEQ_LEN, dtype=np.int32)
    return runner(tokens=tokens, input_pos=positions, mask=causal_mask(positions), **cache)


def greedy_ids(tflite: Path, prompt_ids: list[int], steps: int) -> list[int]:
    """Prefills all prompt tokens but the last, then decodes `steps` argmax tokens."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(tflite))
    prefill = interpreter.get_signature_runner(f"prefill_{PREFILL_SEQ_LEN}")
    decode = interpreter.get_signature_runner("decode")
    cache = _prefill(prefill, prompt_ids[:-1], _empty_cache(prefill))
    token, position, out = prompt_ids[-1], len(prompt_ids) - 1, []
    for _ in range(steps):
        pos = np.array([position], np.int32)
        result = decode(tokens=np.array([[token]], np.int32), input_pos=pos, mask=causal_mask(pos), **cache)
        token = int(np.argmax(result.pop("logits")[0, -1]))
        cache, position = result, position + 1
        out.append(token)
    return out
