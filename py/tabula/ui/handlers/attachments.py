"""Attachments: photos and voice notes in the composer (issue #25). Pick or record, keep until Send
(removable), send them with the message only where they can be taken, the empty chat's two
use cases (Read a photo, Voice note), and, once the saved conversations are loaded, the removal of
stored bytes no message has referred to for a day (a deleted conversation's, an unsent one's). Pure over media.ports.MediaStore, the Chat and the Store.

A picked file is judged first (kind, size), then decoded and stored by the browser; a file
refused for any reason gets one sentence and leaves nothing stored. A recording stops at 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import replace

from tabula.chat import usecases
from tabula.chat.answering import Chat
from tabula.core.actions import ShelfChanged
from tabula.core.state import State
from tabula.i18n.translate import tr
from tabula.media import capability, checks
from tabula.media.attachments import Attachment, new_id, orphans
from tabula.media.checks import AttachmentProblem
from tabula.media.composing import Composing
from tabula.media.ports import MediaStore
from tabula.ui.ports import Handler

TICK_S = 0.25  # how often a recording's timer is shown again
ORPHAN_AFTER_S = 86_400.0  # stored bytes no message refers to are removed after a day


class Attachments:
    def __init__(
        self, chat: Chat, media: MediaStore, notice: Callable[[str, str], None],
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.chat, self.store, self.media, self.notice, self.clock = chat, chat.store, media, notice, clock
        self.stopping: asyncio.Event | None = None  # set while a recording runs
        chat.media = media  # the cloud engine reads the bytes it sends (chat/multimodal.py)
        self.swept = False
        self.store.subscribe(self._loaded)

    def _loaded(self, old: State, new: State) -> None:
        """Once the saved conversations are on the shelf, sweep the bytes nothing refers to; a
        refusal goes when the model in use changes (it named the old one)."""
        if not self.swept and new.shelf.current:
            self.swept = True
            self.chat.tasks.spawn(self.sweep())
        if old.model_id != new.model_id and new.shelf.composing.refusal is not None:
            self._set(refusal=None)

    async def sweep(self) -> None:
        """Remove stored attachments of conversations deleted (or never sent) over a day ago."""
        shelf = self.store.state.shelf
        kept = {a.id for c in shelf.conversations for m in c.messages for a in m.attachments}
        kept |= {a.id for m in self.store.state.messages for a in m.attachments}
        if shelf.deleted is not None:
            kept |= {a.id for m in shelf.deleted.messages for a in m.attachments}
        for attachment_id in orphans(await self.media.ids(), kept, self.clock(), ORPHAN_AFTER_S):
            await self.media.delete(attachment_id)

    def table(self) -> dict[str, Handler]:
        return {
            "remove-attachment": lambda data: self.chat.tasks.spawn(self.remove(data.get("id", ""))),
            "record": lambda _data: self.chat.tasks.spawn(self.record()),
            "stop-recording": lambda _data: self.stopping.set() if self.stopping else None,
            "dismiss-refusal": lambda _data: self._set(refusal=None),
            "use-photo": lambda data: self.use(usecases.read_photo(data.get("question", "")), "image"),
            "use-voice": lambda data: self.use(usecases.voice_note(data.get("how", "")), "audio"),
        }

    @property
    def held(self) -> Composing:
        return self.store.state.shelf.composing

    def _set(self, held: Composing | None = None, **changes: object) -> None:
        held = replace(held or self.held, **changes)
        self.store.dispatch(ShelfChanged(replace(self.store.state.shelf, composing=held)))

    def sendable(self) -> tuple[Attachment, ...] | None:
        """The attachments to send with the message now, or None (not sent) when the chat cannot
        take them: the refusal is shown, and the text and attachments stay in the composer."""
        if self.held.recording is not None:
            self.notice("error", tr("Stop the recording first, then send."))
            return None
        refused = capability.refusal_for(self.store.state, self.held.attachments)
        if refused is not None:
            self._set(refusal=refused)
            return None
        return self.held.attachments

    def sent(self) -> None:
        """The message went: the composer starts empty (the stored bytes belong to it now)."""
        self._set(Composing())

    def send(self, text: str) -> bool:
        """Send `text` with the composer's attachments, where they can be taken."""
        media = self.sendable()
        if media is None or not self.chat.send(text, media):
            return False
        self.sent()
        return True

    def use(self, text: str, kind: str) -> None:
        """A use case: its message goes with the composer's attachments (one of `kind` at least)."""
        if not any(a.kind == kind for a in self.held.attachments):
            need = (
                tr("Add a photo first.")
                if kind == "image"
                else tr("Record a voice note or add an audio file first.")
            )
            return self.notice("error", need)
        self.send(text)

    def _kinds(self) -> tuple[str, ...]:
        return tuple(a.kind for a in self.held.attachments)

    async def add(self, file: object) -> None:
        """A picked photo or sound file: checked, decoded and stored, then shown in the composer."""
        name, mime, size = self.media.describe(file)
        try:
            kind = checks.check_file(name, mime, size, self._kinds())
        except AttachmentProblem as problem:
            return self.notice("error", str(problem))
        self._set(preparing=name, refusal=None)
        attachment_id = new_id(self.clock())
        found = await self.media.prepare(file, attachment_id, kind, checks.limits())
        self._kept(attachment_id, kind, name, found)

    def _kept(self, attachment_id: str, kind: str, name: str, found: dict) -> None:
        """Show what the browser stored, or say why nothing was."""
        self._set(preparing="")
        if "error" in found:
            return self.notice("error", _refused(str(found["error"]), name, kind))
        attachment = Attachment(
            attachment_id, kind, str(found["mime"]), name, int(found["size"]), found.get("width"),
            found.get("height"), found.get("seconds"),
        )  # fmt: skip
        self._set(self.held.adding(attachment))
        full = found.get("full_seconds")
        if full is not None and full > checks.MAX_SECONDS + 0.5:
            self.notice("ok", checks.trimmed(name, full))

    async def remove(self, attachment_id: str) -> None:
        """Take an attachment out of the composer; its bytes are deleted."""
        if any(a.id == attachment_id for a in self.held.attachments):
            self._set(self.held.without(attachment_id))
            await self.media.delete(attachment_id)

    async def record(self) -> None:
        """Record a voice note (permission asked now): a visible timer, Stop, at most 30 s."""
        if self.stopping is not None:
            return
        try:
            checks.check_file("voice.wav", "audio/wav", 1, self._kinds())
        except AttachmentProblem as problem:
            return self.notice("error", str(problem))
        self.stopping = asyncio.Event()
        try:
            if why := await self.media.start_recording():
                return self.notice("error", _microphone(why))
            await self._run_timer()
            name = tr("voice-note-{time}.wav", time=time.strftime("%H%M%S", time.localtime(self.clock())))
            attachment_id = new_id(self.clock())
            self._set(recording=None, preparing=name)
            self._kept(
                attachment_id, "audio", name, await self.media.stop_recording(attachment_id, checks.limits())
            )
        finally:
            self.stopping = None
            self._set(recording=None)

    async def _run_timer(self) -> None:
        began = time.monotonic()
        while (spent := time.monotonic() - began) < checks.MAX_SECONDS and not self.stopping.is_set():
            self._set(recording=float(int(spent)), refusal=None)  # the timer shows whole seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), TICK_S)


def _microphone(why: str) -> str:
    if why in ("NotAllowedError", "SecurityError"):
        return tr(
            "Tabula may not use the microphone. Allow it in the browser's site settings, then press Record again."
        )
    if why in ("NotFoundError", "OverconstrainedError"):
        return tr("No microphone was found on this device.")
    return tr("The microphone could not be used ({error}).", error=why)


def _refused(error: str, name: str, kind: str) -> str:
    """Why the browser kept nothing of a file: it could not decode it, or not store it."""
    if not error.startswith("storage:"):
        return str(checks.undecodable(name, kind))
    if "Quota" in error:
        return tr(
            "This device's storage is full, so the file could not be kept. Free some space, then try again."
        )
    return tr(
        "This browser cannot keep photos or sound here ({error}).", error=error.removeprefix("storage:")
    )
