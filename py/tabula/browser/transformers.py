"""TransformersEngine (engine.ports.Engine): an ONNX model set (Gemma 4 with photos and voice
notes, issue #25) in Transformers.js 4.3.2, in its own dedicated worker
(pwa/js/engine_transformers.js, behind browser/engine_host.py).

The third engine, and the one that takes attachments: `generate(prompt, media=...)` gets the
prompt rendered by engine/prompt.py (Gemma 4's image and audio placeholders in the user turn)
and the attachments those placeholders stand for; the worker reads their bytes from IndexedDB
("tabula-media") itself, so no photo or recording crosses into Python. The backend and precision
are chosen here from the page's WebGPU probe and the set's file names (engine/backend.py) and
named in `info` ("device", "dtype") for the UI. Like the other engines, `maxTokens` counts
prompt + answer; Transformers.js has no seed, so `randomSeed` does not apply. The set is loaded
by URL from a same-origin folder: the site's own copy of an embedded set, or this device's
verified copy, which the service worker serves at ./models/<id>/ from OPFS.
May import: engine, and the other browser adapters.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import js

from tabula.browser._js import absolute
from tabula.browser.engine_host import HostedEngine
from tabula.browser.mediapipe import model_source, probe
from tabula.browser.protocol import Load, Source
from tabula.engine.backend import Backend, choose
from tabula.engine.errors import EngineError, Problem
from tabula.models.fit import DeviceReport

SERVED_WAIT_S = 120.0  # a first visit's service worker may still be saving the app for offline use


async def served(wait_s: float = SERVED_WAIT_S) -> bool:
    """True once the service worker controls this page (it alone serves ./models/<id>/ from
    OPFS): at once if it does, after waiting while one is installing (a first visit), False where
    none is registered (blocked, as in some private windows) or none took over in `wait_s`."""
    workers = getattr(js.navigator, "serviceWorker", None)
    if workers is None:
        return False
    if workers.controller:
        return True
    if not await workers.getRegistration():
        return False
    deadline = time.monotonic() + wait_s
    while not workers.controller and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
    return bool(workers.controller)


def set_source(url: str, stored: str) -> Source:
    """The folder the host loads the set from: this device's copy (served by the service worker
    at ./models/<id>/) or the site's own; never a download."""
    if stored:
        return Source(url=absolute(f"models/{stored}/"))
    return Source(url=model_source(url, "").url.rstrip("/") + "/")


class TransformersEngine(HostedEngine):
    """A model set loaded in Transformers.js's worker."""

    backend = Backend("wasm", "fp32")

    @classmethod
    async def create(
        cls, paths: dict[str, str], url: str, stored: str, label: str, options: dict[str, float | int],
        files: tuple[str, ...] = (), on_lost: Callable[[str], None] | None = None,
    ) -> TransformersEngine:  # fmt: skip
        """Load the set `stored` (its id) or the embedded one at `url`, on the backend chosen for
        this device from its `files` (paths in the set); `paths`: the build's, naming the vendored
        Transformers.js and ONNX Runtime Web folders. EngineError on any failure (a damaged set:
        INVALID_MODEL). `on_lost(message)` runs if its WebGPU device is lost later."""
        if stored and not await served():
            raise EngineError(Problem.NOT_SERVED, "no service worker controls this page")
        gpu = await probe()
        facts = {key: gpu[key] for key in ("webgpu", "vendor", "architecture", "description", "fallback")}
        backend = choose(gpu["webgpu"], gpu["f16"], DeviceReport(**facts).software, files)  # as Models says
        wanted = {"ort": absolute(paths["ort"]), "device": backend.device, "dtype": backend.dtype,
                  "maxTokens": int(options["maxTokens"])}  # fmt: skip
        load = Load(absolute(paths["transformers"]), set_source(url, stored), wanted)
        engine = await cls.start("transformers", load, label, Problem.INVALID_MODEL, on_lost)
        engine.options, engine.backend = options, backend
        return engine

    async def generate(
        self, prompt: str, options: dict | None = None, media: tuple = (), exact: bool = False
    ) -> str:
        """Answer `prompt` with the photos and audio clip `media` (at most one clip: Gemma 4's
        processor reads one), within maxTokens, greedily if `exact` (a page's transcription: the
        chat's sampling would make up words); the host refuses a prompt that leaves no room."""
        if sum(1 for item in media if getattr(item, "kind", "") == "audio") > 1:
            raise EngineError(Problem.UNKNOWN, "one audio clip per message")
        room = int(self.options["maxTokens"]) - await self.count_tokens(prompt)
        if room < 1:
            raise EngineError(Problem.PROMPT_TOO_LONG, f"input is too long: {room} tokens left")
        sampling = {
            "temperature": 0 if exact else self.options["temperature"],
            "topK": self.options["topK"],
            "nPredict": room,
            "maxTokens": int(self.options["maxTokens"]),
        }
        return await super().generate(prompt, sampling, media)
