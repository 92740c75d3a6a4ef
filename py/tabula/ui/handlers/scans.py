"""Scanned pages read as pictures (issue #24). When a PDF with pages that are only images is opened
and a model that reads photos is on this device, the chat's notice offers to read them ("Read
pages 3–7 as pictures with …"); on that press each page is drawn as a picture on the device
(PDF.js in the reader worker: chat.ports.DocumentReader.render), kept a moment as a photo
(IndexedDB "tabula-media", where the engine's worker reads it), given to that model with a fixed
request (chat/scans.py) through the InferenceQueue, and deleted. The text read becomes those
pages' sections (documents.with_pictures), put where the document was opened (`place`).

Progress shows in the notice ("page 2 of 5") with a Cancel that is obeyed: the drawing worker is
ended and the page being read is stopped. A Cancel or a failure keeps nothing: every picture is
deleted and the document stays as it was. Pure over chat.ports.LocalFiles, the queue and the Store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tabula.chat import documents, scans
from tabula.chat.documents import Document
from tabula.chat.ports import LocalFiles
from tabula.core.actions import ShelfChanged, Store
from tabula.engine import prompt
from tabula.engine.errors import EngineError, Problem
from tabula.engine.queue import InferenceQueue, Job, JobState
from tabula.media import checks
from tabula.media.attachments import Attachment, new_id
from tabula.media.capability import can_take

if TYPE_CHECKING:
    from tabula.models.catalog import ModelSpec


class ScanProblem(Exception):
    """A page could not be read; str() is the sentence the person reads."""


@dataclass(frozen=True)
class Pending:
    """A document whose scanned pages may be read: the file to draw them from, where it was
    opened (a use case's box, or the composer) and in which conversation."""

    doc: Document
    file: object
    target: str
    conversation: str


Place = Callable[[Pending, Document], bool]  # put the document read where it was opened; False: gone


class ScanReader:
    def __init__(
        self, store: Store, queue: InferenceQueue, files: LocalFiles, notice: Callable[[str, str], None],
        place: Place, switch: Callable[[str], None] | None = None, clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.store, self.queue, self.files, self.notice, self.place = store, queue, files, notice, place
        self.switch, self.clock = switch, clock
        self.pending: Pending | None = None
        self.busy = self.cancelled = False
        self.job: Job | None = None  # the engine job reading the page now

    def readers(self) -> scans.Readers:
        return scans.readers_for(self.store.state)

    def offer(self, doc: Document, file: object, target: str, said: str) -> bool:
        """Say `said` (what was opened) with an offer to read `doc`'s scanned pages, where a model
        here reads pictures; False (nothing said) where none does, or pages are being read."""
        state, reader = self.store.state, self.readers().reader
        if (
            not doc.scanned
            or reader is None
            or self.busy
            or (reader.id != state.model_id and not self.switch)
        ):
            return False
        self.pending = Pending(doc, file, target, state.shelf.current)
        text = said if reader.id == state.model_id else f"{said} {scans.switching(reader.label)}"
        shelf = replace(state.shelf, notice=("offer", text), offer=scans.offer(doc.scanned, reader.label))
        self.store.dispatch(ShelfChanged(shelf))
        return True

    async def read(self) -> None:
        """Read the offered pages; put the document read where it was opened, or keep nothing."""
        pending, self.pending = self.pending, None
        reader = self.readers().reader
        if pending is None or self.busy or reader is None:
            return None
        if reader.id != self.store.state.model_id and self.switch is not None:
            self.switch(reader.id)  # the model that reads them is on this device: it is the one in use now
        self.busy, self.cancelled = True, False
        try:
            read = await self._pages(pending)
        except ScanProblem as problem:
            return None if self.cancelled else self.notice("error", str(problem))  # cancel() said so
        finally:
            self.busy, self.job = False, None
            self.files.documents.end_rendering()
        if not self.cancelled:
            self._done(pending, reader, read)

    def _done(self, pending: Pending, reader: ModelSpec, read: dict[int, str]) -> None:
        try:
            doc = documents.with_pictures(pending.doc, read)
        except documents.DocumentProblem as problem:
            return self.notice("error", str(problem))
        found = tuple(n for n in pending.doc.scanned if n in doc.pictured)
        if not found:
            return self.notice("error", scans.nothing_found(pending.doc))
        if not self.place(pending, doc):
            return self.notice("error", scans.closed(pending.doc))
        empty = tuple(n for n in pending.doc.scanned if n not in found)
        self.notice("ok", scans.finished(doc, found, empty, reader.label))

    async def _pages(self, pending: Pending) -> dict[int, str]:
        """Each scanned page drawn, read and its picture deleted, in order; ScanProblem, with its
        sentence, for the first that cannot be."""
        read: dict[int, str] = {}
        doc, pages = pending.doc, pending.doc.scanned
        for n, page in enumerate(pages, 1):
            self.notice("busy", scans.progress(doc.title, n, len(pages)))
            try:
                read[page] = await self._page(doc, pending.file, page)
            except ScanProblem:
                raise
            except Exception as error:  # the reader worker or the store broke (or Cancel ended them)
                raise ScanProblem(scans.failed(doc, page, scans.broke(str(error)))) from None
            if self.cancelled:
                raise ScanProblem(scans.stopped())
        return read

    async def _page(self, doc: Document, file: object, page: int) -> str:
        drawn = await self.files.documents.render(file, page, checks.MAX_SIDE)
        if self.cancelled:
            raise ScanProblem(scans.stopped())
        if "error" in drawn:
            raise ScanProblem(scans.failed(doc, page, scans.not_drawn()))
        picture_id = new_id(self.clock())
        try:
            kept = await self.files.media.prepare(drawn["image"], picture_id, "image", checks.limits())
            if "error" in kept:
                raise ScanProblem(scans.failed(doc, page, scans.not_kept(str(kept["error"]))))
            picture = Attachment(
                picture_id, "image", str(kept["mime"]), scans.picture_name(doc, page), int(kept["size"]),
                kept.get("width"), kept.get("height"),
            )  # fmt: skip
            return await self._ask(doc, page, picture)
        finally:
            await self.files.media.delete(picture_id)

    async def _ask(self, doc: Document, page: int, picture: Attachment) -> str:
        """The text the model in use reads on `picture` (it is given the picture and scans.ASK)."""
        model = self.store.state.model
        if model is None or not can_take(model, "image"):
            raise ScanProblem(scans.failed(doc, page, scans.cannot(model.label if model else "")))

        async def build(engine: object) -> str:
            try:
                asked = scans.asked(str(getattr(engine, "family", "")), picture)
            except ValueError:  # another model was loaded meanwhile
                raise EngineError(Problem.UNKNOWN, "a text-only model was asked to read a picture") from None
            job.media = (picture,)
            return asked

        self.job = job = self.queue.submit(build, tag=scans.TAG, exact=True)  # read, not made up
        done = await job.done
        error = done.error
        if done.state is not JobState.DONE and error is None:  # stopped
            raise ScanProblem(scans.stopped())
        if done.state is not JobState.DONE:
            why = scans.too_long() if error.problem is Problem.PROMPT_TOO_LONG else error.message
            raise ScanProblem(scans.failed(doc, page, why))
        return prompt.visible(done.text)

    def cancel(self) -> None:
        """Stop reading the pictures at once; nothing of them is kept."""
        self.cancelled = True
        self.files.documents.end_rendering()
        if self.job is not None:
            self.queue.cancel(self.job.id)
        self.notice("ok", scans.stopped())
