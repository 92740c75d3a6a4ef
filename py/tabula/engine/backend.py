"""Where and in which precision Transformers.js runs an ONNX model set (issue #25). Pure.

A set holds each session in one or more precisions, by file name: `onnx/<session><suffix>.onnx`
with suffix "" (fp32), "_fp16", "_q4" (4-bit weights, fp32 maths), "_q4f16" (4-bit weights,
fp16 maths) or "_quantized" (q8), as Transformers.js 4.3.2 names them. WebGPU runs a set where
the adapter is a real GPU: q4f16 only with `shader-f16` (without it ONNX Runtime fails at the
first run: "Program Gather requires f16"), else q4 or fp32. A software adapter (SwiftShader: the
CPU drawing) is slower than the wasm backend on the same CPU, and no adapter at all leaves only
wasm, which runs every precision (q4 first: the smallest that needs no fp16 maths).
May import: nothing of the app's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SESSIONS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")
SUFFIXES = {"fp32": "", "fp16": "_fp16", "q4": "_q4", "q4f16": "_q4f16", "q8": "_quantized"}
WEBGPU_F16 = ("q4f16", "fp16", "q4", "fp32")
WEBGPU_F32 = ("q4", "fp32")
WASM = ("q4", "q8", "fp32", "q4f16", "fp16")


@dataclass(frozen=True)
class Backend:
    """Transformers.js's `device` ("webgpu" | "wasm") and `dtype` for the whole set."""

    device: str
    dtype: str


def precisions(paths: Iterable[str]) -> set[str]:
    """The dtypes every session of the set has a file for (the sessions it holds: a text-only
    set has no vision or audio encoder)."""
    names = set(paths)
    held = [s for s in SESSIONS if any(p.startswith(f"onnx/{s}") and p.endswith(".onnx") for p in names)]
    return {d for d, suffix in SUFFIXES.items() if held and all(f"onnx/{s}{suffix}.onnx" in names for s in held)}


def choose(webgpu: bool, f16: bool, software: bool, paths: Iterable[str]) -> Backend:
    """The backend and precision to load the set with on this device (fp32 on wasm when the
    set's files are not known)."""
    found = precisions(paths)
    if webgpu and not software:
        for dtype in WEBGPU_F16 if f16 else WEBGPU_F32:
            if dtype in found:
                return Backend("webgpu", dtype)
    return Backend("wasm", next((d for d in WASM if d in found), "fp32"))
