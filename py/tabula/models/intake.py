"""Importing a model file from this device's disk (a USB stick, Downloads), checked first.

Intake (a Verifying) refuses a file that is not a whole model before copying a byte, copies it
into the model's chunks, then proves it like a download.
"""

from __future__ import annotations

from tabula.core.actions import ModelDeleted, ModelsNotice
from tabula.i18n.translate import tr
from tabula.models import format as modelformat
from tabula.models.catalog import imported
from tabula.models.transfers import STORAGE_FULL, FileChoice
from tabula.models.verifying import Verifying


class Intake(Verifying):
    """Imports from a local file."""

    async def import_file(self, choice: FileChoice) -> None:
        """Copy a model file from this device's disk (a USB stick, Downloads), checked first."""
        problem = modelformat.problem(choice.head, choice.tail, choice.size)
        spec = imported(choice.name, choice.size)
        if problem is None and spec.id in self._running:
            problem = tr("That file is being imported already.")
        self.store.dispatch(ModelsNotice(problem or ""))
        if problem:
            return
        if not await self._room_for(spec, 0):  # a new file has no card yet: said above the list
            job = self.store.state.download(spec.id)
            self.store.dispatch(ModelsNotice(job.message if job else ""))
            return
        self._running.add(spec.id)
        generation = self._intent(spec.id)
        try:
            await self.files.remove(spec.id)
            if spec.id in self.store.state.ready:  # the old copy is gone: never show it as stored
                self.store.dispatch(ModelDeleted(spec.id))
            copying = tr("Copying from the file…")
            self._report(spec.id, "downloading", 0, choice.size, message=copying)

            def progress(n: int) -> None:
                self._report(spec.id, "downloading", n, choice.size, message=copying)

            result = await self.files.import_file(choice, spec.id, self.chunk, progress)
            if result.kind != "done":
                await self.files.remove(spec.id)
                unread = tr("The file could not be read: {reason}", reason=result.message)
                self._fail(spec.id, tr(STORAGE_FULL) if result.kind == "quota" else unread)
                return
            self.pinned(spec)
            await self._verify(spec, choice.size, False, generation)
        finally:
            self._running.discard(spec.id)
