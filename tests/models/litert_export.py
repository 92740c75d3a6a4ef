"""Exports a litert-torch Gemma 3 decoder to a multi-signature .tflite, alike for both models.

Owns the export settings shared by the tiny and the real model (those of litert-torch's
`examples/gemma3/convert_gemma3_to_tflite.py`: mask as input, transposed KV cache, decode batch 1,
plus prefill 32, KV cache 256, dynamic_int8) and the TensorFlow-schema alias that litert-torch
0.10.0 needs. Runs only inside the conversion venv (torch, litert-torch, ai-edge-litert).
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from pathlib import Path

PREFILL_SEQ_LEN = 32
KV_CACHE_MAX_LEN = 256
QUANTIZE = "dynamic_int8"
_TF_SCHEMA = "tensorflow.lite.python.schema_py_generated"


def alias_tensorflow_schema() -> None:
    """Makes `tensorflow.lite.python.schema_py_generated` resolve to ai-edge-litert's copy.

    litert-torch 0.10.0 imports it in generative/layers/lora.py without depending on TensorFlow.
    The fake packages carry real ModuleSpecs, or torch._dynamo fails on `__spec__ is None`.
    """
    if _TF_SCHEMA in sys.modules:
        return
    from ai_edge_litert import schema_py_generated

    parts = _TF_SCHEMA.split(".")
    for depth in range(1, len(parts)):
        name = ".".join(parts[:depth])
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
            package.__path__ = []
            sys.modules[name] = package
    sys.modules[_TF_SCHEMA] = schema_py_generated


def export_tflite(model: object, out_dir: Path, name: str) -> Path:
    """Converts `model` (a litert-torch Decoder) and returns the written .tflite path."""
    alias_tensorflow_schema()
    from litert_torch.generative.layers import kv_cache
    from litert_torch.generative.utilities import converter, export_config

    config = export_config.ExportConfig(
        kvcache_layout=kv_cache.KV_LAYOUT_TRANSPOSED,
        decode_batch_size=1,
        mask_as_input=True,
    )
    written = converter.convert_to_tflite(
        model,
        output_path=str(out_dir),
        output_name_prefix=name,
        prefill_seq_len=[PREFILL_SEQ_LEN],
        kv_cache_max_len=KV_CACHE_MAX_LEN,
        quantize=QUANTIZE,
        export_config=config,
    )
    return Path(written)
