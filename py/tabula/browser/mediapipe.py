"""MediaPipeEngine (engine.ports.Engine) over pwa/js/llm.js, and the WebGPU probe.

Turns JS errors into errors.EngineError with a human message. Sets forceF32 where the adapter
lacks shader-f16 (SwiftShader, some tablets). Options are fixed at creation: 0.10.29's
setOptions() reloads the model and throws "No model asset provided." without one (its bundle:
setOptions reads baseOptions.modelAssetBuffer/Path first), so the app builds a new engine instead. A
generation's text is pulled: llm.js buffers the deltas and take() drains them (no proxy, and no
call into Python per token).
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import JsException, create_proxy
from pyscript import js_import

from tabula.browser._js import absolute, js_object
from tabula.browser.opfs import shim as store_shim
from tabula.engine.errors import EngineError, Problem, classify
from tabula.engine.ports import Taken

_shim = None


async def shim():
    """The llm.js module, imported once by absolute URL."""
    global _shim
    if _shim is None:
        (_shim,) = await js_import(absolute("js/llm.js"))
    return _shim


def heap_bytes() -> int:
    """The size of the newest engine's wasm heap (0 before an engine exists), for diagnostics."""
    return int(_shim.currentHeapBytes()) if _shim is not None else 0


def live_devices() -> int:
    """GPU devices made for engines and not yet destroyed or lost (1 while a model is loaded)."""
    return int(_shim.liveDevices()) if _shim is not None else 0


async def probe() -> dict:
    """The WebGPU adapter's facts as a plain dict."""
    report = await (await shim()).probe()
    return report.to_py()


async def model_source(url: str, stored: str) -> dict:
    """What llm.js loads: a stream of the stored copy (read from OPFS chunk by chunk), or the
    site's own copy of an embedded model. Never a download: a URL off this origin is refused."""
    if stored:
        return {"stream": await (await store_shim()).open(stored)}
    address = js.URL.new(absolute(url))
    if str(address.origin) != str(js.location.origin):
        raise EngineError(Problem.NO_MODEL, f"not loading {address.href}: not stored on this device")
    return {"url": str(address.href)}


class MediaPipeEngine:
    """A loaded LlmInference."""

    def __init__(self, llm: object, label: str, lost_proxy: object) -> None:
        self.llm, self.label, self._lost_proxy = llm, label, lost_proxy
        self.family = "completion"  # the model's template family: the engine factory sets it

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

        `on_lost(message)` runs if the GPU device is lost later (the proxy lives until close()).
        """
        module = await shim()
        gpu = await probe()
        if not gpu["webgpu"]:
            raise EngineError(Problem.NO_WEBGPU, "navigator.gpu.requestAdapter() gave no adapter")
        full = {**options, "forceF32": not gpu["f16"]}
        source = js_object(await model_source(url, stored))
        lost = create_proxy(lambda message: on_lost(str(message)))
        try:
            llm = await module.create(absolute(genai_path), source, js_object(full), lost)
        except JsException as error:
            lost.destroy()
            js.console.warn(f"Tabula: model load failed: {error}")
            raise classify(str(error)) from None
        return cls(llm, label, lost)

    async def generate(self, prompt: str) -> str:
        """Generate; llm.js buffers the deltas for take() (no call into Python per token)."""
        try:
            return str(await (await shim()).generate(self.llm, prompt))
        except JsException as error:
            raise classify(str(error)) from None

    def take(self) -> Taken:
        text, quiet_ms, first_ms = _shim.take(self.llm)
        first = float(first_ms)
        return Taken(str(text), float(quiet_ms) / 1000, first / 1000 if first >= 0 else None)

    async def count_tokens(self, text: str) -> int:
        try:
            return int((await shim()).sizeInTokens(self.llm, text))
        except JsException as error:
            raise classify(str(error)) from None

    def cancel(self) -> None:
        """Ask MediaPipe to stop. 0.10.29 was seen to ignore it for .task models; the queue
        copes either way (a generation that really stops just frees the engine sooner)."""
        _shim.cancel(self.llm)

    async def close(self) -> None:
        """Close the LlmInference and destroy its GPU device (llm.js), freeing its memory now."""
        try:
            (await shim()).close(self.llm)
        except JsException as error:
            raise classify(str(error)) from None
        self._lost_proxy.destroy()

    def destroy(self) -> None:
        """Free a busy or stuck engine: llm.js destroys its GPU device (its buffers go at once)
        and lets go of it. The device-lost callback is not called for it (llm.js knows why)."""
        try:
            _shim.destroy(self.llm)
        except JsException as error:
            js.console.warn(f"Tabula: destroying an abandoned engine: {error}")
        self._lost_proxy.destroy()
