"""ChatFiles: what the chat page does with files and the clipboard. Export one or all
conversations (JSON to import again, Markdown to read), import a JSON export (checked whole
before anything changes), and copy a code block from an answer. A JSON export carries each
attachment's bytes, read from the media store (issue #25); an import stores them before its
conversations are added. Pure over chat.ports.LocalFiles.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

from tabula.chat import archive, export
from tabula.chat.library import Library
from tabula.chat.markdown import code_blocks
from tabula.chat.ports import LocalFiles
from tabula.core.actions import ShelfChanged, Store
from tabula.core.tasks import Spawn
from tabula.i18n.translate import tr, tr_n

Handler = Callable[[dict[str, str]], object]
MIME = {"json": "application/json", "md": "text/markdown"}
NOTICE_SECONDS = 5.0  # how long a success notice stays (errors stay until dismissed)


class ChatFiles:
    def __init__(
        self, store: Store, library: Library, files: LocalFiles, spawn: Spawn,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.store, self.library, self.files, self.spawn, self.clock = store, library, files, spawn, clock

    def table(self) -> dict[str, Handler]:
        return {
            "export-chats": self.export,
            "copy-code": self.copy_code,
            "dismiss-notice": lambda _data: self.notice("", ""),
        }

    def notice(self, kind: str, text: str) -> None:
        """Show `text` in the chat page's status line; a success fades after a few seconds."""
        self.store.dispatch(ShelfChanged(replace(self.library.shelf, notice=(kind, text))))
        if kind == "ok":
            self.spawn(self._fade((kind, text)))

    async def _fade(self, shown: tuple[str, str]) -> None:
        await asyncio.sleep(NOTICE_SECONDS)
        if self.library.shelf.notice == shown:
            self.notice("", "")

    def export(self, data: dict[str, str]) -> None:
        """Save this conversation or all of them as JSON or Markdown."""
        shelf, ext = self.library.shelf, "md" if data.get("format") == "md" else "json"
        convs = shelf.conversations if data.get("which") == "all" else tuple(
            c for c in shelf.conversations if c.id == shelf.current
        )  # fmt: skip
        convs = tuple(c for c in convs if c.messages)
        if not convs:
            return self.notice("error", tr("There is nothing to export yet: the conversation is empty."))
        now = self.clock()
        ids = [a.id for c in convs for m in c.messages for a in m.attachments]
        if ext == "json" and ids:
            return self.spawn(self._export_with_media(convs, now, ids))
        text = export.export_markdown(convs, now) if ext == "md" else export.export_json(convs, now)
        self._save(export.filename(convs, now, ext), text, ext)

    def _save(self, name: str, text: str, ext: str) -> None:
        self.files.save_text(name, text, MIME[ext])
        self.notice("ok", tr("Saved {name} to your downloads.", name=name))

    async def _export_with_media(self, convs: tuple, now: float, ids: list[str]) -> None:
        """The JSON export with each attachment's bytes embedded (base64)."""
        media = {}
        for attachment_id in dict.fromkeys(ids):
            found = await self.files.media.read(attachment_id)
            if found is not None:
                media[attachment_id] = found[1]
        text, name = export.export_json(convs, now, media), export.filename(convs, now, "json")
        self._save(name, text, "json")
        if len(text) > archive.MAX_IMPORT_CHARS:  # said, not refused: the file is still a backup
            size, limit = f"{len(text) / 1e6:.0f}", archive.MAX_IMPORT_CHARS // 1_000_000
            self.notice("error", tr(
                "Saved {name} ({size} MB). With its photos and sound it is larger than Tabula imports "
                "({limit} MB): to move these conversations, export them one at a time.",
                name=name, size=size, limit=limit,
            ))  # fmt: skip

    async def import_file(self, file: object) -> None:
        """Read a picked export and add its conversations; a bad file changes nothing."""
        try:
            name, text = await self.files.read_text(file, archive.MAX_IMPORT_CHARS)
        except ValueError:
            return self.notice("error", tr("This file cannot be imported: it is too big or it is not text."))
        on_device = self.library.shelf.conversations
        try:
            imported = archive.read_import(text, [c.id for c in on_device], self.clock(), on_device)
        except archive.ImportProblem as problem:
            return self.notice("error", str(problem))
        if not await self._store_media(imported.media):
            return None
        self.library.adopt(imported.conversations)
        count, skipped = len(imported.conversations), imported.skipped
        message = tr_n(
            "Imported {count} conversation from {name}.",
            "Imported {count} conversations from {name}.",
            count,
            name=name,
        )
        if skipped:
            message += " " + tr_n("{count} was already here.", "{count} were already here.", skipped)
        self.notice("ok", message)

    async def _store_media(self, media: tuple[archive.Embedded, ...]) -> bool:
        """Store an import's attachments; on a failure, remove those stored and say so (False)."""
        stored = []
        try:
            for item in media:
                await self.files.media.write(item.id, item.kind, item.mime, item.data)
                stored.append(item.id)
        except Exception as error:
            for attachment_id in stored:
                await self.files.media.delete(attachment_id)
            self.notice(
                "error",
                tr(
                    "The photos and sound in this file could not be stored ({error}). Nothing was imported.",
                    error=error,
                ),
            )
            return False
        return True

    def copy_code(self, data: dict[str, str]) -> None:
        message = next((m for m in self.store.state.messages if str(m.id) == data.get("msg")), None)
        blocks = code_blocks(message.text) if message else []
        index = int(data["block"]) if data.get("block", "").isdigit() else -1
        if 0 <= index < len(blocks):
            self.spawn(self._copy(blocks[index]))

    async def _copy(self, text: str) -> None:
        if await self.files.copy_text(text):
            self.notice("ok", tr("Code copied."))
        else:
            self.notice(
                "error", tr("The browser did not allow copying. Select the code and copy it by hand.")
            )
