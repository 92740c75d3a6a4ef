"""Device intelligence: can this device run a model, on which engine, how fast? Pure.

`DeviceReport` is what browser/probe.py measures; `assess()` gives a verdict with reasons a
person can read; `pick()` recommends the largest model expected to answer at a useful speed
(`USEFUL` words a second), else the fastest that fits. A model's engine is `ModelSpec.runtime`:
"gpu" (MediaPipe) needs a hardware-worthy WebGPU adapter with big enough buffers; "cpu" (llama.cpp
in wasm, a GGUF file) needs only memory and storage; "onnx" (Transformers.js, a set of files such
as Gemma 4 E2B's 3.4 GB) runs on WebGPU where there is a hardware adapter, else on the CPU (wasm),
and needs memory for all its weights.
Rules of thumb (seed, to be refined with field data), all in `words_per_second()`:
- memory: a tablet leaves one browser tab about half of the memory it reports (the system, other
  apps and the browser keep the rest; a renderer that asks for more is killed), and the page
  itself needs about 0.5 GB (Pyodide, the app, the engine's working memory): the model plus that
  must fit in half the reported memory (either engine). So a 2 GB model needs a 6 GB device;
  at 4 GB it crash-looped a tablet;
- a `.task` model's largest tensor (Gemma's embedding table) is about a quarter of its file, and
  must fit in one GPU storage binding;
- decoding streams every weight once per token, so tokens/s = bytes/s the engine can read over
  the model's bytes: GPU_RATE with shader-f16, a quarter of it without (32-bit math, the old GPUs
  that lack f16), SOFTWARE_RATE for a software adapter (SwiftShader: measured 1.5 tokens/s for
  Gemma 3 270M int8 on this project's 2-core test machine, bench/RESULTS.md), CPU_RATE per CPU
  thread with 70 % more per extra thread; 0.75 words a token. The CPU figure is from the cores,
  not measured here: a calibration would need the CPU engine itself.
A set for photos and voice ("onnx") is recommended only where nothing else fits: its bytes hold
its image and audio encoders too, so its size says nothing about how well it chats.
`lean_context()` says when to load a model with MediaPipe's `disableRewinding` (much less memory
for long contexts, no fast rewinding or shared-prefix reuse): on a device reporting 4 GB or less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tabula.i18n.translate import tr
from tabula.models.catalog import ModelSpec

GB = 1_000_000_000
TAB_SHARE = 0.5  # of the reported memory, what a tablet leaves one tab
PAGE_NEEDS = int(0.5 * GB)  # the page beside the model: Pyodide, the app, the engine's working memory
UNKNOWN_MEMORY = 4 * GB  # navigator.deviceMemory is missing in some browsers
LEAN_MEMORY = 4 * GB  # a device reporting this much or less keeps long contexts lean
# tasks-genai 0.10.29 throws "'disableRewinding' is not supported for converted LLM models yet"
# for a .task bundle (the zip format its loader sniffs); a TFLite or .litertlm file takes it.
LEAN_FORMATS = (".tflite", ".litertlm")
MiB = 2**20
GPU_RATE = 40 * GB  # bytes/s MediaPipe decodes at on a hardware GPU with shader-f16
SOFTWARE_RATE = int(0.43 * GB)  # 1.5 tokens/s x 285 MB, SwiftShader on 2 cores
CPU_RATE = int(1.2 * GB)  # bytes/s one wasm SIMD thread of llama.cpp reads (rule of thumb)
THREAD_GAIN = 0.7  # each extra CPU thread adds this much of one
WORDS_PER_TOKEN = 0.75
USEFUL = 3.0  # words a second: slower than this reads as stuck
EMBEDDING_SHARE = 4  # a .task model's largest tensor is about 1/4 of its bytes
SOFTWARE_NAMES = ("swiftshader", "llvmpipe", "lavapipe", "softpipe", "basic render", "warp")


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
    fallback: bool = False  # GPUAdapterInfo.isFallbackAdapter (or the adapter's own, before Chrome 136)
    description: str = ""  # GPUAdapterInfo.description
    isolated: bool = False  # self.crossOriginIsolated: SharedArrayBuffer, so wasm threads
    shared_memory: bool = True  # SharedArrayBuffer defined (WebKit leaves it out even when isolated)
    cpu_build: str = "main"  # wllama's build here: "main" (wasm JSPI and Memory64) or "compat" (Safari's)
    controlled: bool = False  # a service worker serves this page (it adds the isolation headers)

    @property
    def software(self) -> bool:
        """A software adapter: the "GPU" is the CPU drawing (SwiftShader, llvmpipe, WARP)."""
        names = f"{self.vendor} {self.architecture} {self.description}".lower()
        return self.webgpu and (self.fallback or any(name in names for name in SOFTWARE_NAMES))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]


def _gb(size: int) -> str:
    return f"{size / GB:.1f} GB"


def cpu_threads(report: DeviceReport) -> int:
    """Threads the CPU engine runs: wllama's default of half the cores, only when the page is
    cross-origin isolated and the browser has SharedArrayBuffer (wasm threads need both);
    otherwise one (pwa/js/engine_wllama.js threads() decides the same)."""
    return max(1, (report.cores or 1) // 2) if report.isolated and report.shared_memory else 1


def words_per_second(report: DeviceReport, model: ModelSpec) -> float:
    """The expected decoding speed of `model` here, in words a second (0: it cannot run)."""
    onnx_on_cpu = model.runtime == "onnx" and (not report.webgpu or report.software)
    if model.runtime == "cpu" or onnx_on_cpu:
        rate = CPU_RATE * (1 + THREAD_GAIN * (cpu_threads(report) - 1))
    elif not report.webgpu:
        return 0.0
    elif report.software:
        rate = SOFTWARE_RATE
    else:
        rate = GPU_RATE if report.f16 else GPU_RATE / 4
    return rate / max(model.bytes, MiB) * WORDS_PER_TOKEN


def speed_text(words: float) -> str:
    shown = f"{words:.1f}" if words < 10 else str(round(words))
    return tr("about {words} words a second on this device", words=shown)


def _gpu_blocker(report: DeviceReport, model: ModelSpec) -> str:
    """Why MediaPipe cannot run `model` on this adapter, or ""."""
    if not report.webgpu:
        return tr(
            "This browser has no WebGPU, which this model needs (it runs on the GPU); CPU models run here."
        )
    needed = model.bytes // EMBEDDING_SHARE
    largest = min(report.max_buffer, report.max_storage_binding)
    if 0 < largest < needed:
        return tr(
            "This GPU's largest buffer is {largest}; this model needs about {needed} in one buffer.",
            largest=_mb(largest),
            needed=_mb(needed),
        )
    return ""


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def assess(report: DeviceReport, model: ModelSpec) -> Verdict:
    """Whether `model` can run here, with every reason that matters."""
    gpu = model.runtime == "gpu"
    blocker = _gpu_blocker(report, model) if gpu else ""
    if blocker:
        return Verdict(False, (blocker,))
    memory = report.memory or UNKNOWN_MEMORY
    needed, tab = model.bytes + PAGE_NEEDS, int(memory * TAB_SHARE)
    if needed > tab:
        why = tr(
            "Needs about {needed} of memory; a browser tab here gets about {tab} (half of the {memory} this device reports).",
            needed=_gb(needed),
            tab=_gb(tab),
            memory=_gb(memory),
        )
        return Verdict(False, (why,))
    free = free_storage(report)
    if model.source != "embedded" and free is not None and free < model.bytes:
        why = tr("Needs {size} of storage; only {free} is free.", size=_gb(model.bytes), free=_gb(free))
        return Verdict(False, (why,))
    reasons = [
        tr("Fits in memory ({needed} of the {tab} a tab gets here).", needed=_gb(needed), tab=_gb(tab))
    ]
    reasons.append(_engine_note(report, model))
    if report.memory is None:
        reasons.append(tr("The browser does not report memory; assumed 4 GB."))
    return Verdict(True, tuple(reasons))


def _engine_note(report: DeviceReport, model: ModelSpec) -> str:
    """Which engine runs it here, and how fast that is expected to be."""
    speed = speed_text(words_per_second(report, model))
    if model.runtime == "onnx":
        if not report.webgpu or report.software:
            return tr("Runs with Transformers.js on the CPU (wasm): {speed}.", speed=speed)
        return tr("Runs with Transformers.js on the GPU (WebGPU): {speed}.", speed=speed)
    if model.runtime == "cpu":
        threads = cpu_threads(report)
        if threads == 1:
            return tr("Runs on the CPU (one thread): {speed}.", speed=speed)
        return tr("Runs on the CPU ({threads} threads): {speed}.", threads=threads, speed=speed)
    if report.software:
        return tr("The GPU here is a software renderer (the CPU drawing): {speed}.", speed=speed)
    if not report.f16:
        return tr("No 16-bit GPU math (shader-f16): runs in 32-bit mode, {speed}.", speed=speed)
    return tr("Runs on the GPU: {speed}.", speed=speed)


def free_storage(report: DeviceReport) -> int | None:
    if report.quota is None:
        return None
    return max(report.quota - (report.usage or 0), 0)


@dataclass(frozen=True)
class Pick:
    model: ModelSpec | None
    reason: str


def pick(report: DeviceReport, catalog: Sequence[ModelSpec]) -> Pick:
    """The largest model that fits and answers at a useful speed (else the fastest that fits),
    with the engine and the expected speed in the reason; or why none fits."""
    fitting = [m for m in catalog if assess(report, m).ok]
    fitting = [m for m in fitting if m.runtime != "onnx"] or fitting  # photo and voice sets: on demand
    if fitting:
        useful = [m for m in fitting if words_per_second(report, m) >= USEFUL]
        best = max(useful, key=lambda m: m.bytes) if useful else max(
            fitting, key=lambda m: words_per_second(report, m)
        )  # fmt: skip
        return Pick(best, _why(report, best, bool(useful)))
    if not report.webgpu and not any(m.runtime in ("cpu", "onnx") for m in catalog):
        return Pick(None, tr("This device cannot run models locally (no WebGPU)."))
    if not catalog:
        return Pick(None, tr("No model is available in this build."))
    return Pick(None, tr("Every available model needs more memory than this device reports."))


def _why(report: DeviceReport, best: ModelSpec, useful: bool) -> str:
    speed = speed_text(words_per_second(report, best))
    if best.runtime == "cpu":
        if not report.webgpu:
            why = tr("This browser has no WebGPU, so Tabula runs models on the CPU.")
        elif report.software:
            why = tr("This device's WebGPU is a software renderer, so the CPU is faster.")
        else:
            why = tr("The CPU engine suits this device best.")
        text = tr("{why} Recommended: {model}, on the CPU, {speed}.", why=why, model=best.label, speed=speed)
    elif useful:
        text = tr(
            "The largest model that answers at a useful speed here: {model}, {speed}.",
            model=best.label,
            speed=speed,
        )
    else:
        text = tr("The fastest model that fits: {model}, {speed}.", model=best.label, speed=speed)
    return text


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
