"""Device intelligence: can this device run a model, and which model should it use? Pure.

`DeviceReport` is what browser/probe.py measures; `assess()` gives a verdict with reasons a
person can read; `pick()` recommends the largest model that fits with headroom. Rule of thumb
(seed, to be refined with field data): the model plus 1.5 GB must fit in the memory estimate.
`lean_context()` says when to load a model with MediaPipe's `disableRewinding` (much less memory
for long contexts, no fast rewinding or shared-prefix reuse): on a device reporting 4 GB or less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tabula.i18n.translate import tr
from tabula.models.catalog import ModelSpec

GB = 1_000_000_000
HEADROOM = int(1.5 * GB)
UNKNOWN_MEMORY = 4 * GB  # navigator.deviceMemory is missing in some browsers
LEAN_MEMORY = 4 * GB  # a device reporting this much or less keeps long contexts lean
# tasks-genai 0.10.29 throws "'disableRewinding' is not supported for converted LLM models yet"
# for a .task bundle (the zip format its loader sniffs); a TFLite or .litertlm file takes it.
LEAN_FORMATS = (".tflite", ".litertlm")


@dataclass(frozen=True)
class DeviceReport:
    webgpu: bool = False
    vendor: str = ""
    architecture: str = ""
    f16: bool = False
    max_buffer: int = 0
    max_storage_binding: int = 0
    memory: int | None = None  # bytes, from navigator.deviceMemory (capped at 8 GB by browsers)
    cores: int = 0
    quota: int | None = None
    usage: int | None = None
    persisted: bool | None = None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]


def _gb(size: int) -> str:
    return f"{size / GB:.1f} GB"


def assess(report: DeviceReport, model: ModelSpec) -> Verdict:
    """Whether `model` can run here, with every reason that matters."""
    if not report.webgpu:
        return Verdict(False, (tr("This browser has no WebGPU, so models cannot run on this device."),))
    memory = report.memory or UNKNOWN_MEMORY
    needed = model.bytes + HEADROOM
    if needed > memory:
        why = tr(
            "Needs about {needed} of memory; this device reports {memory}.",
            needed=_gb(needed),
            memory=_gb(memory),
        )
        return Verdict(False, (why,))
    free = free_storage(report)
    if model.source != "embedded" and free is not None and free < model.bytes:
        why = tr("Needs {size} of storage; only {free} is free.", size=_gb(model.bytes), free=_gb(free))
        return Verdict(False, (why,))
    reasons = [tr("Fits in memory ({needed} of {memory}).", needed=_gb(needed), memory=_gb(memory))]
    if not report.f16:
        reasons.append(tr("No 16-bit GPU math (shader-f16): runs in 32-bit mode, slower."))
    if report.memory is None:
        reasons.append(tr("The browser does not report memory; assumed 4 GB."))
    return Verdict(True, tuple(reasons))


def free_storage(report: DeviceReport) -> int | None:
    if report.quota is None:
        return None
    return max(report.quota - (report.usage or 0), 0)


@dataclass(frozen=True)
class Pick:
    model: ModelSpec | None
    reason: str


def pick(report: DeviceReport, catalog: Sequence[ModelSpec]) -> Pick:
    """The largest model that fits, or why none does."""
    fitting = [m for m in catalog if assess(report, m).ok]
    if fitting:
        best = max(fitting, key=lambda m: m.bytes)
        return Pick(
            best, tr("The largest model that fits this device with room to spare: {model}.", model=best.label)
        )
    if not report.webgpu:
        return Pick(None, tr("This device cannot run models locally (no WebGPU)."))
    if not catalog:
        return Pick(None, tr("No model is available in this build."))
    return Pick(None, tr("Every available model needs more memory than this device reports."))


def upgrade(report: DeviceReport | None, catalog: Sequence[ModelSpec], current: ModelSpec | None,
            have: frozenset[str]) -> ModelSpec | None:  # fmt: skip
    """A bigger recommended model worth offering while `current` works, or None.

    `have` holds the ids already stored or on their way; those are never offered again.
    """
    if report is None or current is None:
        return None
    best = pick(report, [m for m in catalog if m.downloadable]).model
    if best is None or best.id == current.id or best.id in have or best.bytes <= current.bytes:
        return None
    return best


def lean_context(report: DeviceReport | None, model: ModelSpec) -> bool:
    """Whether to load `model` with disableRewinding: the device reports little memory and the
    model's file is of a format MediaPipe accepts the option for (never a .task bundle)."""
    if report is None or report.memory is None or report.memory > LEAN_MEMORY:
        return False
    name = model.url or (model.label if model.source == "imported" else "")
    return name.split("?")[0].lower().endswith(LEAN_FORMATS)
