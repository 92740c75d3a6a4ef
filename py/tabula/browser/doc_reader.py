"""WorkerDocuments (chat.ports.DocumentReader): a picked PDF or .docx read on the device by
pwa/js/doc_reader.js, a dedicated module worker hosting the vendored PDF.js and mammoth (one
worker per file). Only plain values come back: the pages' text, or mammoth's HTML, or the name
of the reader's exception. cancel() ends the worker at once (terminate: the read stops for
certain, PDF.js's own worker with it). The decisions are Python's (chat/documents.py).

Scanned pages are drawn as pictures by a worker of their own (render(): one page a call, the
file kept open in it between calls), which end_rendering() ends: a JPEG comes back as an opaque
Blob that goes straight on to the media store (browser/media_store.py), never into Python.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import js
from pyodide.ffi import create_proxy

from tabula.browser._js import absolute, js_object


class ReadCancelled(Exception):
    """The person pressed Cancel: the worker was ended."""


class WorkerDocuments:
    def __init__(self, paths: dict[str, str]) -> None:
        self.pdfjs, self.mammoth = paths["pdfjs"], f"{paths['mammoth']}/mammoth.browser.min.js"
        self.worker: object | None = None
        self.waiting: asyncio.Future | None = None
        self.proxy = None
        self.drawer: object | None = None  # the worker drawing scanned pages, while it lives
        self.drawing: asyncio.Future | None = None
        self.drawn_proxy = None

    def describe(self, file: object) -> tuple[str, int]:
        """(name, size in bytes) of a picked File."""
        return str(file.name), int(file.size)

    async def head(self, file: object, count: int) -> bytes:
        """The first `count` bytes of the file (to check what it really is)."""
        return bytes((await file.slice(0, count).arrayBuffer()).to_py())

    async def read(
        self, file: object, kind: str, max_pages: int, progress: Callable[[int, int], None]
    ) -> dict:
        """{"pages": [...]} for a PDF, {"html": ...} for a docx, or {"error", "pages"} when the
        reader failed; raises ReadCancelled after cancel()."""
        self.cancel()
        loop = asyncio.get_running_loop()
        self.waiting = done = loop.create_future()

        def heard(event: object) -> None:
            data = event.data
            if str(data.type) == "progress":
                progress(int(data.done), int(data.total))
            elif not done.done():
                done.set_result(_plain(data))

        self.proxy = create_proxy(heard)
        self.worker = worker = js.Worker.new(absolute("js/doc_reader.js"), js_object({"type": "module"}))
        worker.onmessage = self.proxy
        message = {"kind": kind, "file": file, "maxPages": max_pages, "pdfjs": absolute(self.pdfjs),
                   "mammoth": absolute(self.mammoth)}  # fmt: skip
        worker.postMessage(js_object(message))
        try:
            return await done
        finally:
            if self.waiting is done:
                self._end()

    def cancel(self) -> None:
        """End the read in progress, if any (its read() raises ReadCancelled)."""
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(ReadCancelled())
        self._end()

    async def render(self, file: object, page: int, max_side: int) -> dict:
        """Page `page` drawn as a JPEG, its longest side `max_side` pixels: {"image": Blob,
        "width", "height"} or {"error"}; raises ReadCancelled after end_rendering()."""
        if self.drawer is None:
            self.drawn_proxy = create_proxy(self._drawn)
            self.drawer = js.Worker.new(absolute("js/doc_reader.js"), js_object({"type": "module"}))
            self.drawer.onmessage = self.drawn_proxy
        self.drawing = done = asyncio.get_running_loop().create_future()
        message = {
            "kind": "draw",
            "file": file,
            "page": page,
            "maxSide": max_side,
            "pdfjs": absolute(self.pdfjs),
        }
        self.drawer.postMessage(js_object(message))
        return await done

    def _drawn(self, event: object) -> None:
        data = event.data
        if self.drawing is None or self.drawing.done():
            return
        if str(data.type) == "image":
            self.drawing.set_result(
                {"image": data.image, "width": int(data.width), "height": int(data.height)}
            )
        else:
            self.drawing.set_result(_plain(data))

    def end_rendering(self) -> None:
        """End the drawing worker (its render() in progress raises ReadCancelled)."""
        if self.drawing is not None and not self.drawing.done():
            self.drawing.set_exception(ReadCancelled())
        if self.drawer is not None:
            self.drawer.terminate()
            self.drawer.onmessage = None
        if self.drawn_proxy is not None:
            self.drawn_proxy.destroy()
        self.drawer = self.drawn_proxy = self.drawing = None

    def _end(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            self.worker.onmessage = None
        if self.proxy is not None:
            self.proxy.destroy()
        self.worker = self.proxy = self.waiting = None


def _plain(data: object) -> dict:
    kind = str(data.type)
    if kind == "pdf":
        return {"pages": [str(p) for p in data.pages]}
    if kind == "docx":
        return {"html": str(data.html)}
    return {"error": str(data.name), "pages": int(data.pages or 0)}
