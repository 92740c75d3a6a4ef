"""Typed engine errors with the message a person reads. Pure: adapters raise these."""

from __future__ import annotations

from enum import StrEnum

from tabula.i18n.translate import N_, tr


class Problem(StrEnum):
    """What went wrong, in categories the UI can act on."""

    NO_WEBGPU = "no-webgpu"
    DEVICE_TOO_SMALL = "device-too-small"
    MEMORY_TOO_SMALL = "memory-too-small"  # the CPU engine's heap (wasm memory) ran out
    INVALID_MODEL = "invalid-model"
    PROMPT_TOO_LONG = "prompt-too-long"
    CONTEXT_TOO_LARGE = "context-too-large"
    BUSY = "busy"
    STALLED = "stalled"
    DEVICE_LOST = "device-lost"
    NO_MODEL = "no-model"
    NOT_SERVED = "not-served"  # a stored model set, and no service worker (yet) to serve it
    UNKNOWN = "unknown"


MESSAGES = {
    Problem.NO_WEBGPU: N_(
        "This browser cannot run models on the device: WebGPU is not available. "
        "Try an up-to-date Chrome or Edge, or switch on the cloud engine."
    ),
    Problem.DEVICE_TOO_SMALL: N_(
        "This device does not have enough graphics memory for this model. Choose a smaller model in Models."
    ),
    Problem.MEMORY_TOO_SMALL: N_(
        "This device does not have enough memory for this model. Close other tabs and apps, "
        "or choose a smaller model in Models."
    ),
    Problem.INVALID_MODEL: N_(
        "The model's files could not be read. They may be damaged or not a model this app runs "
        "(a MediaPipe .task, a GGUF, or an ONNX set for Transformers.js); download it again or "
        "choose another."
    ),
    Problem.PROMPT_TOO_LONG: N_(
        "Your message is too long for this model's context. Shorten it, "
        "or raise Max tokens in Settings if the model allows."
    ),
    Problem.CONTEXT_TOO_LARGE: N_("Max tokens is larger than this model supports."),
    Problem.BUSY: N_("The engine was busy; your request was kept and will run next."),
    Problem.STALLED: N_(
        "The engine stopped responding and was restarted. Your chat is kept; send again to retry."
    ),
    Problem.DEVICE_LOST: N_(
        "The graphics device was lost (a long time in the background, or a driver "
        "restart). Your chat is kept: press Restart engine, or just send again."
    ),
    Problem.NO_MODEL: N_("No model is loaded. Choose one in Models."),
    Problem.NOT_SERVED: N_(
        "This model is made of several files, which Tabula's offline helper (its service worker) "
        "hands to the engine, and that helper is not running in this tab. Reload the page once it "
        "says it works offline, then press Restart engine. A private window may never run it."
    ),
    Problem.UNKNOWN: N_("The engine failed unexpectedly."),
}


class EngineError(Exception):
    """An engine failure: `problem` for logic, `message` for people, `detail` for logs."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(tr(MESSAGES[problem]))
        self.problem, self.detail = problem, detail

    @property
    def message(self) -> str:
        return tr(MESSAGES[self.problem])


PATTERNS = (
    # Transformers.js (ONNX Runtime Web): a file of the set missing or unreadable, the wasm heap
    # exhausted
    ("could not locate file", Problem.INVALID_MODEL),
    ("protobuf parsing failed", Problem.INVALID_MODEL),
    ("std::bad_alloc", Problem.MEMORY_TOO_SMALL),
    # wllama (llama.cpp in wasm, the CPU engine)
    ("kv_cache_full", Problem.PROMPT_TOO_LONG),
    ("cannot allocate webassembly.memory", Problem.MEMORY_TOO_SMALL),
    ("array buffer allocation failed", Problem.MEMORY_TOO_SMALL),
    ("gguf", Problem.INVALID_MODEL),
    ("load_error", Problem.INVALID_MODEL),
    # MediaPipe
    ("input is too long", Problem.PROMPT_TOO_LONG),
    ("out_of_range", Problem.PROMPT_TOO_LONG),
    ("larger than the maximum cache size", Problem.CONTEXT_TOO_LARGE),
    ("currently loading or processing", Problem.BUSY),
    ("still ongoing", Problem.BUSY),
    ("webgpu", Problem.NO_WEBGPU),
    ("requestadapter", Problem.NO_WEBGPU),
    ("buffer size", Problem.DEVICE_TOO_SMALL),
    ("out of memory", Problem.DEVICE_TOO_SMALL),
    ("maxbuffersize", Problem.DEVICE_TOO_SMALL),
    ("zip", Problem.INVALID_MODEL),
    ("flatbuffer", Problem.INVALID_MODEL),
    ("model", Problem.INVALID_MODEL),
)


def classify(detail: str, otherwise: Problem = Problem.UNKNOWN) -> EngineError:
    """Map an engine's raw error text to a typed EngineError (first matching pattern wins;
    `otherwise` when none matches)."""
    lowered = detail.lower()
    for needle, problem in PATTERNS:
        if needle in lowered:
            return EngineError(problem, detail)
    return EngineError(otherwise, detail)
