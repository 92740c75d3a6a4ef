"""BrowserFiles (chat.ports.LocalFiles): read a picked File as text, save text as a download (a Blob
behind a temporary link), and copy to the clipboard; PDF and .docx files are read by its
`documents` (browser/doc_reader.py), photos and audio by its `media` (browser/media_store.py). All of
it stays on the device.
"""

from __future__ import annotations

import js
from pyodide.ffi import create_once_callable, to_js

from tabula.browser import rich
from tabula.browser.doc_reader import WorkerDocuments
from tabula.browser.media_store import IdbMediaStore


class BrowserFiles:
    def __init__(self, paths: dict[str, str]) -> None:
        self.documents = WorkerDocuments(paths)
        self.media = IdbMediaStore()

    async def read_text(self, file: object, limit: int) -> tuple[str, str]:
        size = int(file.size)
        if size > limit:
            raise ValueError(f"too big: {size} bytes")
        data = bytes((await file.arrayBuffer()).to_py())
        try:
            return str(file.name), data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("not UTF-8 text") from None

    def save_text(self, name: str, text: str, mime: str) -> None:
        options = to_js({"type": f"{mime};charset=utf-8"}, dict_converter=js.Object.fromEntries)
        blob = js.Blob.new(to_js([text]), options)
        url = js.URL.createObjectURL(blob)
        link = js.document.createElement("a")
        link.href, link.download, link.hidden = url, name, True
        js.document.body.append(link)
        link.click()
        link.remove()
        js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 10_000)

    async def copy_text(self, text: str) -> bool:
        return await rich.copy(text)
