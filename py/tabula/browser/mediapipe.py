"""MediaPipeEngine (engine.ports.Engine): MediaPipe's LlmInference in its own dedicated worker
(pwa/js/engine_mediapipe.js, behind browser/engine_host.py), and the WebGPU probe.

Sets forceF32 where the adapter lacks shader-f16 (SwiftShader, some tablets). Options are fixed
at creation: 0.10.29's setOptions() reloads the model and throws "No model asset provided."
without one (its bundle: setOptions reads baseOptions.modelAssetBuffer/Path first), so the app
builds a new engine instead. The worker reads the model itself: the stored copy from its OPFS
chunks, or the site's own copy of an embedded model by URL; no model byte crosses the page.
"""

from __future__ import annotations

from collections.abc import Callable

import js

from tabula.browser._js import absolute
from tabula.browser.engine_host import HostedEngine, shim
from tabula.browser.protocol import Load, Source
from tabula.engine.errors import EngineError, Problem


async def probe() -> dict:
    """The WebGPU adapter's facts as a plain dict (asked on the page: no device is made)."""
    report = await (await shim()).probe()
    return report.to_py()


def model_source(url: str, stored: str) -> Source:
    """What the host loads: the stored copy (its id), or the site's own copy of an embedded
    model. Never a download: a URL off this origin is refused."""
    if stored:
        return Source(stored=stored)
    address = js.URL.new(absolute(url))
    if str(address.origin) != str(js.location.origin):
        raise EngineError(Problem.NO_MODEL, f"not loading {address.href}: not stored on this device")
    return Source(url=str(address.href))


class MediaPipeEngine(HostedEngine):
    """A loaded LlmInference, in its worker."""

    @classmethod
    async def create(
        cls,
        genai_path: str,
        url: str,
        stored: str,
        label: str,
        options: dict[str, float | int],
        on_lost: Callable[[str], None],
    ) -> MediaPipeEngine:
        """Load a model with `options`: the verified copy `stored` on this device (its id) when
        given, else the embedded one at `url` (this site's); raise EngineError on any failure.

        `on_lost(message)` runs if the GPU device is lost later (until the engine is ended).
        """
        gpu = await probe()
        if not gpu["webgpu"]:
            raise EngineError(Problem.NO_WEBGPU, "navigator.gpu.requestAdapter() gave no adapter")
        load = Load(absolute(genai_path), model_source(url, stored), {**options, "forceF32": not gpu["f16"]})
        return await cls.start("mediapipe", load, label, Problem.UNKNOWN, on_lost)
