"""WllamaEngine (engine.ports.Engine) over pwa/js/wllama.js: GGUF models on the CPU.

llama.cpp compiled to wasm (wllama 2.4.0), for devices without a usable WebGPU adapter. The app
renders the prompt with the model family's template (engine/prompt.py) and wllama completes it
raw. Like MediaPipe's, `maxTokens` counts prompt + answer: the answer may take what the prompt
leaves. The stored copy is read straight from its OPFS chunk files (one Blob over them, never
a copy); the library and its wasm are imported only when a GGUF model is loaded. Errors become
errors.EngineError with a human message; text is pulled through take(), as for MediaPipe.
"""

from __future__ import annotations

import js
from pyodide.ffi import JsException
from pyscript import js_import

from tabula.browser._js import absolute, js_object
from tabula.browser.mediapipe import model_source
from tabula.browser.opfs import shim as store_shim
from tabula.engine.errors import EngineError, Problem, classify
from tabula.engine.ports import Taken

_shim = None


async def shim():
    """The wllama.js module, imported once by absolute URL."""
    global _shim
    if _shim is None:
        (_shim,) = await js_import(absolute("js/wllama.js"))
    return _shim


async def threads() -> int:
    """How many threads the CPU engine runs with on this page (1 unless cross-origin isolated)."""
    return int((await shim()).threads())


async def cpu_source(url: str, stored: str) -> object:
    """The stored copy's chunk Files, or the site's own copy of an embedded model."""
    if stored:
        return js_object({"files": await (await store_shim()).files(stored)})
    return js_object(await model_source(url, ""))


class WllamaEngine:
    """A GGUF model loaded in wllama's worker."""

    def __init__(self, wllama: object, label: str, options: dict[str, float | int], info: dict) -> None:
        self.wllama, self.label, self.options = wllama, label, options
        self.family = "completion"  # the model's template family: the engine factory sets it
        self.threads = int(info["threads"])  # 1: the single-thread build runs

    @classmethod
    async def create(
        cls, wllama_path: str, url: str, stored: str, label: str, options: dict[str, float | int]
    ) -> WllamaEngine:
        """Load `stored` (its id) or the embedded model at `url` with `options`; raise
        EngineError on any failure (a damaged file: INVALID_MODEL)."""
        module = await shim()
        source = await cpu_source(url, stored)
        wanted = {"maxTokens": int(options["maxTokens"]), "randomSeed": int(options.get("randomSeed", 0))}
        try:
            wllama = await module.create(absolute(wllama_path), source, js_object(wanted))
        except JsException as error:
            js.console.warn(f"Tabula: CPU model load failed: {error}")
            raise classify(str(error), Problem.INVALID_MODEL) from None
        info = module.info(wllama).to_py()
        trained = int(info["nCtxTrain"])
        if 0 < trained < wanted["maxTokens"]:  # the same refusal as MediaPipe's: create_fitting retries
            await module.close(wllama)
            detail = f"larger than the maximum cache size supported: {wanted['maxTokens']} > {trained}"
            raise EngineError(Problem.CONTEXT_TOO_LARGE, detail)
        return cls(wllama, label, options, info)

    async def generate(self, prompt: str) -> str:
        """Complete `prompt` within maxTokens (prompt + answer); wllama.js buffers the deltas
        for take(). A prompt that leaves no room for an answer is refused before it runs."""
        room = int(self.options["maxTokens"]) - await self.count_tokens(prompt)
        if room < 1:
            raise EngineError(Problem.PROMPT_TOO_LONG, f"input is too long: {room} tokens left")
        sampling = {
            "temperature": self.options["temperature"],
            "topK": self.options["topK"],
            "nPredict": room,
        }
        try:
            return str(await _shim.generate(self.wllama, prompt, js_object(sampling)))
        except JsException as error:
            raise classify(str(error)) from None

    def take(self) -> Taken:
        text, quiet_ms, first_ms = _shim.take(self.wllama)
        first = float(first_ms)
        return Taken(str(text), float(quiet_ms) / 1000, first / 1000 if first >= 0 else None)

    async def count_tokens(self, text: str) -> int:
        try:
            return int(await (await shim()).countTokens(self.wllama, text))
        except JsException as error:
            raise classify(str(error)) from None

    def cancel(self) -> None:
        """Abort the running completion (its AbortSignal): wllama stops after the token in hand."""
        _shim.cancel(self.wllama)

    async def close(self) -> None:
        """Unload the model and end wllama's worker, freeing its heap now."""
        try:
            await _shim.close(self.wllama)
        except JsException as error:
            raise classify(str(error)) from None

    def destroy(self) -> None:
        """Free a busy or stuck engine: wllama.js terminates its worker. Never raises."""
        try:
            _shim.destroy(self.wllama)
        except JsException as error:
            js.console.warn(f"Tabula: destroying an abandoned CPU engine: {error}")
