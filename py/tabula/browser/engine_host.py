"""HostedEngine (engine.ports.Engine) over one engine host, through pwa/js/engine_port.js.

Every engine runs off the page thread, each in its own dedicated worker behind the same
protocol (browser/protocol.py): MediaPipe in pwa/js/engine_mediapipe.js, wllama in
pwa/js/engine_wllama.js (which starts wllama's own worker inside it), Transformers.js in
pwa/js/engine_transformers.js. A host is made per engine and ended with it: `close()` asks it to unload,
then ends it; `destroy()` ends it at once (the worker is terminated, so its GPU device and heap
are freed for certain, even mid-answer or mid-load). A load that fails or is abandoned ends its
host too. `end_all()` ends every host of this page at once (another window took the engine).
Text is pulled: the port buffers token batches and take() drains them once per paint.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import JsException, create_proxy
from pyscript import js_import

from tabula.browser._js import absolute, js_object
from tabula.browser.protocol import (
    Cancel,
    Count,
    Counted,
    Done,
    Generate,
    Load,
    Loaded,
    Request,
    Unload,
    event,
    media_refs,
    wire,
)
from tabula.engine.errors import Problem, classify
from tabula.engine.ports import Taken

_shim = None
_first_text: list = []  # the one proxy every host calls when a generation's first text arrives


async def shim():
    """The engine_port.js module, imported once by absolute URL."""
    global _shim
    if _shim is None:
        (_shim,) = await js_import(absolute("js/engine_port.js"))
    return _shim


def live_hosts() -> int:
    """Engine hosts alive on this page (1 while a model is loaded or loading; diagnostics)."""
    return int(_shim.live()) if _shim is not None else 0


def end_all(reason: str) -> None:
    """End every engine host of this page at once (their requests fail with `reason`)."""
    if _shim is not None:
        _shim.endAll(reason)


def on_first_text(callback: Callable[[], None]) -> None:
    """Call `callback` when a generation's first visible text arrives (once per answer, not per
    batch): the painter paints it at once; its cadence applies after it."""
    _first_text[:] = [create_proxy(callback)]


class HostedEngine:
    """A model loaded in an engine host."""

    def __init__(self, port: object, label: str, info: dict, lost: object | None) -> None:
        self.port, self.label, self.info, self._lost = port, label, info, lost
        self.family = "completion"  # the model's template family: the engine factory sets it
        self.generated: int | None = None  # tokens the last generation produced, if the host said

    @classmethod
    async def start(
        cls, kind: str, load: Load, label: str, failed: Problem, on_lost: Callable[[str], None] | None = None
    ) -> HostedEngine:
        """A new host of `kind` with the model `load` names; on any failure (`failed` when the
        error says nothing more precise) the host is ended before EngineError is raised, and
        so it is if the load is abandoned (its task cancelled)."""
        port = (await shim()).open(kind, absolute(f"js/engine_{kind}.js"))
        lost = create_proxy(lambda message: on_lost(str(message))) if on_lost else None
        port.onLost, port.onFirst, loaded = lost, (_first_text or [None])[0], None
        try:
            loaded = event((await port.request(js_object(wire(load)))).to_py())
        except JsException as error:
            js.console.warn(f"Tabula: model load failed: {error}")
            raise classify(str(error), failed) from None
        finally:  # failed, or abandoned (CancelledError): the host goes with it
            if not isinstance(loaded, Loaded):
                port.end("the load did not finish")
                if lost is not None:
                    lost.destroy()
        return cls(port, label, loaded.info, lost)

    async def ask(self, request: Request) -> object:
        """The host's reply to `request`, as its event; its error as EngineError."""
        try:
            return event((await self.port.request(js_object(wire(request)))).to_py())
        except JsException as error:
            raise classify(str(error)) from None

    async def generate(
        self, prompt: str, options: dict | None = None, media: tuple = (), exact: bool = False
    ) -> str:
        """Generate; the port buffers the token batches for take() (no call into Python per batch).
        `media`: the attachments the prompt's placeholders stand for (hosts that take them).
        `exact` is the subclasses' to honour: MediaPipe's sampling is fixed when it loads."""
        request = Generate(prompt, options or {}, media_refs(media))
        try:
            done = event((await self.port.generate(js_object(wire(request)))).to_py())
        except JsException as error:
            raise classify(str(error)) from None
        assert isinstance(done, Done)
        self.generated = int(done.tokens) if done.tokens >= 0 else None
        return str(done.text)

    def take(self) -> Taken:
        text, quiet_ms, first_ms, reading = self.port.take()
        first = float(first_ms)
        return Taken(str(text), float(quiet_ms) / 1000, first / 1000 if first >= 0 else None, bool(reading))

    async def count_tokens(self, text: str) -> int:
        counted = await self.ask(Count(text))
        assert isinstance(counted, Counted)
        return int(counted.tokens)

    def cancel(self) -> None:
        """Ask the host to stop the running generation (the text it writes after is dropped)."""
        self.port.post(js_object(wire(Cancel())))

    async def close(self) -> None:
        """Unload the model, then end the host (its worker: everything it held goes)."""
        try:
            await self.ask(Unload())
        finally:
            self.destroy()

    def destroy(self) -> None:
        """End the host at once, even while busy or stuck. Never raises."""
        try:
            self.port.end("the engine was ended")
        except JsException as error:
            js.console.warn(f"Tabula: ending an abandoned engine: {error}")
        if self._lost is not None:
            self._lost.destroy()
            self._lost = None
