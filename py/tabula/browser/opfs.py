"""OpfsModelStore (models.ports.ModelStore) over pwa/js/model_bytes.js, and the file picker's File.

Model bytes stay in JS (OPFS chunk files, fetch, hash-wasm); only sizes, statuses and a few
format-check bytes cross into Python. Every progress proxy is destroyed after its call settles.
"""

from __future__ import annotations

from contextlib import contextmanager

import js
from pyodide.ffi import create_proxy, to_js
from pyscript import js_import

from tabula.browser._js import absolute
from tabula.models.format import TAIL_BYTES, read_head
from tabula.models.ports import ProgressCallback
from tabula.models.transfers import STALL_SECONDS, FileChoice, PickedFile, Quota, Stored, Transfer

_shim = None


async def shim():
    """model_bytes.js's API object, imported once by absolute URL."""
    global _shim
    if _shim is None:
        (module,) = await js_import(absolute("js/model_bytes.js"))
        _shim = module.store
    return _shim


@contextmanager
def progress_proxy(on_progress: ProgressCallback):
    proxy = create_proxy(lambda done: on_progress(int(done)))
    try:
        yield proxy
    finally:
        proxy.destroy()


def _number(value: object) -> int | None:
    """model_bytes.js sends -1 for an unknown number (never null)."""
    number = int(value)
    return None if number < 0 else number


def _transfer(raw: object) -> Transfer:
    data = raw.to_py()
    return Transfer(
        kind=str(data["kind"]),
        written=int(data["written"]),
        total=_number(data.get("total", -1)),
        status=int(data.get("status") or 0),
        message=str(data.get("message") or ""),
        validator=str(data.get("validator") or ""),
    )


class OpfsModelStore:
    def __init__(self, sha256_path: str) -> None:
        self.sha256_url = absolute(sha256_path)

    async def files_kind(self) -> str:
        """How this browser writes model files: writable | sync | none (it cannot keep them)."""
        return str((await (await shim()).capability()).files)

    async def stored(self) -> list[Stored]:
        if await self.files_kind() == "none":
            return []
        rows = (await (await shim()).list()).to_py()
        return [
            Stored(str(r["id"]), int(r["bytes"]), None if r["ready"] is None else str(r["ready"]))
            for r in rows
        ]

    async def prepare(self, model_id: str, chunk: int, total: int | None) -> int:
        return int(await (await shim()).prepare(model_id, chunk, -1 if total is None else total))

    async def fetch(
        self, model_id: str, url: str, start: int, chunk: int, on_progress: ProgressCallback,
        refuse: tuple[str, ...] = (), validator: str = "", whole: bool = False,
    ) -> Transfer:  # fmt: skip
        module = await shim()
        ask = to_js(
            {"refuse": list(refuse), "validator": validator, "whole": whole, "hash": self.sha256_url},
            dict_converter=js.Object.fromEntries,
        )
        with progress_proxy(on_progress) as proxy:
            raw = await module.fetchInto(
                model_id, absolute(url), start, chunk, proxy, STALL_SECONDS * 1000, ask
            )
            return _transfer(raw)

    async def head(self, model_id: str, size: int) -> bytes:
        return bytes((await (await shim()).head(model_id, size)).to_py())

    def abort(self, model_id: str) -> None:
        if _shim is not None:
            _shim.abort(model_id)

    async def import_file(
        self, file: FileChoice, model_id: str, chunk: int, on_progress: ProgressCallback
    ) -> Transfer:
        module = await shim()
        with progress_proxy(on_progress) as proxy:
            return _transfer(await module.importFile(file.handle, model_id, chunk, proxy))

    async def digest(self, model_id: str, on_progress: ProgressCallback) -> tuple[str, int]:
        module = await shim()
        with progress_proxy(on_progress) as proxy:
            result = (await module.digest(model_id, self.sha256_url, proxy)).to_py()
        return str(result["sha256"]), int(result["bytes"])

    async def commit(self, model_id: str, meta: str) -> None:
        await (await shim()).commit(model_id, meta)

    async def remove(self, model_id: str) -> None:
        await (await shim()).remove(model_id)

    async def estimate(self) -> Quota:
        data = (await (await shim()).estimate()).to_py()
        persisted = data.get("persisted")
        return Quota(
            _number(data.get("quota")),
            _number(data.get("usage")),
            bool(persisted),
            await self.files_kind(),
        )

    async def can_store(self, size: int) -> bool:
        return bool(await (await shim()).reserve(size))

    async def persist(self) -> bool:
        return bool(await (await shim()).persist())

    async def open(self, model_id: str) -> object:
        """A ReadableStream of a verified model's bytes (for MediaPipe)."""
        return await (await shim()).open(model_id)


async def file_choice(file: object) -> FileChoice:
    """What the core needs to judge a picked File, without reading it whole (a GGUF's head up
    to its metadata's end, a few MB at most)."""
    module = await shim()
    size = int(file.size)

    async def first(n: int) -> bytes:
        return bytes((await module.sliceOf(file, 0, n)).to_py())

    head = await read_head(first, size)
    tail = bytes((await module.sliceOf(file, size - TAIL_BYTES, size)).to_py())
    return FileChoice(str(file.name), size, head, tail, file)


def picked_files(files: object) -> list[PickedFile]:
    """The Files (a JS array) of a picked folder, each with its path in it, or of several picked files."""
    return [PickedFile(str(f.webkitRelativePath or f.name), int(f.size), f) for f in files]
