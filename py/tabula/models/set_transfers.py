"""Downloading and importing a model made of several files, as one (models/sets.py says how it
is stored and matched).

SetTransfers (an Intake, the Downloader's base) checks room for the whole set, asks the Hub once
for every file's facts, then fetches the files one after another with the single-file machinery
(resume by HTTP Range per file, retries, pause, hand-over, all under the set's one intent
generation and plan), showing one progress for the whole set; each file is verified (size and
SHA-256) as it completes. A file that differs, a refusal or a failure deletes the whole set:
nothing is half-kept. ready.json (the manifest) is written last, after every file is proven.
"""

from __future__ import annotations

from dataclasses import replace

from tabula.core.actions import ModelDeleted, ModelsNotice, ModelsStored
from tabula.i18n.translate import tr
from tabula.models.catalog import ModelFile, ModelSpec, pin_files
from tabula.models.hub import hub_file, lfs_facts
from tabula.models.intake import Intake
from tabula.models.sets import SET_CHECKSUM, SET_IMPORT_CHECKSUM, manifest, match
from tabula.models.transfers import HUB_CONFLICT, STORAGE_FULL, FileChoice, PickedFile
from tabula.models.verifying import host_of


class SetTransfers(Intake):
    """Downloads and imports of models made of several files."""

    async def _fetch_set(self, spec: ModelSpec, switch: bool, generation: int) -> None:
        """Download every file of `spec` in turn, verify each, then mark the set ready."""
        spec = await self._set_facts(spec)
        if spec is None or not await self._room_and_persistence(spec, generation):
            return
        found: dict[str, str] = {}
        try:
            for number, file in enumerate(spec.files, 1):
                sha = await self._fetch_file(spec, file, number, generation)
                if sha is None:
                    await self._drop_if_failed(spec)
                    return
                found[file.path] = sha
        finally:
            self._forget_offsets(spec)
        await self._ready_set(spec, found, switch, generation)

    async def _fetch_file(self, spec: ModelSpec, file: ModelFile, number: int, generation: int) -> str | None:
        """Fetch (or find already stored) one file of the set; its verified SHA-256, or None."""
        part = spec.part(file)
        self._offsets[part.id] = (sum(f.bytes for f in spec.files[: number - 1]), spec.bytes)
        self._notes[part.id] = tr(
            "File {number} of {count}: {file}", number=number, count=len(spec.files), file=file.path
        )
        stored = await self.files.prepare(part.id, self.chunk, file.bytes or None)
        size = stored if file.bytes and stored == file.bytes else await self._fetch_all(part, generation)
        if size is None or not self._live(spec.id, generation):
            return None
        return await self._check_file(spec, file, part.id, generation, SET_CHECKSUM)

    async def _check_file(
        self, spec: ModelSpec, file: ModelFile, store_id: str, generation: int, problem: str
    ) -> str | None:
        """The stored file's SHA-256 when it is the one the record names; else delete the whole
        set and fail it, naming the file."""
        said = tr("Checking {file}…", file=file.path)
        sha, size = await self.files.digest(
            store_id, lambda n: self._report(store_id, "verifying", n, file.bytes, message=said)
        )
        if not self._live(spec.id, generation):
            return None
        if (file.sha256 and sha != file.sha256) or (file.bytes and size != file.bytes):
            await self.files.remove(spec.id)
            self._forget_offsets(spec)
            self._fail(spec.id, tr(problem, file=file.path, model=spec.label, host=host_of(spec.url)))
            return None
        return sha

    async def _set_facts(self, spec: ModelSpec) -> ModelSpec | None:
        """The set with the Hub's LFS facts of each file (asked once, before the first byte); the
        catalogue's own where the Hub cannot be reached or does not say; None after failing the
        download when the Hub and the catalogue disagree about a file."""
        sources = [hub_file(spec.file_url(f)) for f in spec.files] if spec.url else []
        if not sources or None in sources or self.hub is None:
            return spec
        asking = tr("Asking {host} what the files must be…", host=host_of(spec.url))
        self._report(spec.id, "checking", 0, spec.bytes or None, message=asking)
        answer = await self.hub(sources[0].api)
        files = []
        for file, source in zip(spec.files, sources, strict=True):
            facts = lfs_facts(answer, source.path) if answer and source else None
            if facts and file.sha256 and facts[0] != file.sha256:
                self._fail(spec.id, f"{file.path}: " + tr(HUB_CONFLICT, host=host_of(spec.url)))
                return None
            files.append(replace(file, sha256=facts[0], bytes=facts[1]) if facts else file)
        return replace(spec, files=tuple(files), bytes=sum(f.bytes for f in files))

    async def _drop_if_failed(self, spec: ModelSpec) -> None:
        """A file of the set failed (not paused): delete every file of it, nothing half-kept."""
        job = self.store.state.download(spec.id)
        if job is not None and job.phase == "failed":
            await self.files.remove(spec.id)

    def _forget_offsets(self, spec: ModelSpec) -> None:
        for file in spec.files:
            self._offsets.pop(spec.part(file).id, None)
            self._notes.pop(spec.part(file).id, None)

    async def _ready_set(self, spec: ModelSpec, found: dict[str, str], switch: bool, generation: int) -> None:
        """Commit the set's manifest (written last), pin its files' checksums, tell the app."""
        pinned = pin_files(spec, found)
        if not self._live(spec.id, generation):
            return
        await self.files.commit(spec.id, manifest(spec, found))
        if not self._live(spec.id, generation):
            return
        self.plans.put(spec.id, None)
        if pinned != self._spec(spec.id):
            self.pinned(pinned)
        self.store.dispatch(ModelsStored(self.store.state.ready | {spec.id}))
        self._report(spec.id, "ready", spec.bytes, spec.bytes)
        self.on_ready(pinned, switch)

    # --- import from a folder ---------------------------------------------------------------

    async def import_set(self, picked: list[PickedFile]) -> None:
        """Copy a model made of several files from a folder on this device, every file checked
        (its presence and size before a byte is copied, its SHA-256 after); nothing is kept
        unless every file is right."""
        spec, chosen, problem = match(self.store.state.catalog, picked)
        if spec is not None and spec.id in self._running:
            problem = tr("That model is being downloaded or imported already.")
        self.store.dispatch(ModelsNotice(problem))
        if spec is None or problem or not await self._room_for(spec, 0):
            return
        self._running.add(spec.id)
        generation = self._intent(spec.id)
        try:
            await self.files.remove(spec.id)
            if spec.id in self.store.state.ready:  # the old copy is gone: never show it as stored
                self.store.dispatch(ModelDeleted(spec.id))
            found = await self._copy_set(spec, chosen, generation)
            if found is not None:
                await self._ready_set(spec, found, False, generation)
        finally:
            self._forget_offsets(spec)
            self._running.discard(spec.id)

    async def _copy_set(
        self, spec: ModelSpec, chosen: dict[str, PickedFile], generation: int
    ) -> dict[str, str] | None:
        """Copy and check each file in turn: {path: SHA-256}, or None (nothing kept, said why)."""
        found: dict[str, str] = {}
        for number, file in enumerate(spec.files, 1):
            sha = await self._copy_file(spec, file, number, chosen[file.path], generation)
            if sha is None:
                job = self.store.state.download(spec.id)
                self.store.dispatch(ModelsNotice(job.message if job and job.phase == "failed" else ""))
                return None
            found[file.path] = sha
        return found

    async def _copy_file(
        self, spec: ModelSpec, file: ModelFile, number: int, choice: PickedFile, generation: int
    ) -> str | None:
        """Copy one picked file into its folder of the set and check it; its SHA-256, or None."""
        part = spec.part(file)
        self._offsets[part.id] = (sum(f.bytes for f in spec.files[: number - 1]), spec.bytes)
        copying = tr("Copying {file} from the folder…", file=file.path)

        def progress(done: int) -> None:
            self._report(part.id, "downloading", done, file.bytes, message=copying)

        progress(0)
        handle = FileChoice(choice.path, choice.size, b"", b"", choice.handle)
        result = await self.files.import_file(handle, part.id, self.chunk, progress)
        if not self._live(spec.id, generation):
            return None
        if result.kind != "done":
            await self.files.remove(spec.id)
            unread = tr("{file} could not be read: {reason}", file=file.path, reason=result.message)
            self._fail(spec.id, tr(STORAGE_FULL) if result.kind == "quota" else unread)
            return None
        return await self._check_file(spec, file, part.id, generation, SET_IMPORT_CHECKSUM)
