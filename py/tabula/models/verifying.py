"""A model is ready only when its bytes are proven: size and SHA-256 checked, then committed.

Verifying (a Ledger) verifies what is stored against the record's facts, says so when a file
differs from a known hash (it changed upstream, or was altered on the way), deletes it, or
commits it, pins the checksum and tells the app. A download with no checksum to prove it (a
custom address) is first held against its own GGUF layout, so a cut-short .gguf is refused.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlsplit

from tabula.core.actions import ModelsStored
from tabula.i18n.translate import tr
from tabula.models import gguf
from tabula.models.catalog import ModelSpec, pin
from tabula.models.format import HEAD_BYTES, gguf_fault, model_format, read_head
from tabula.models.hub import hub_file, lfs_facts
from tabula.models.ledger import Ledger
from tabula.models.transfers import (
    CHECKSUM,
    HUB_CONFLICT,
    INCOMPLETE_DOWNLOAD,
    NOT_A_MODEL_DOWNLOAD,
    WEB_PAGE,
    Transfer,
)


def host_of(url: str) -> str:
    return urlsplit(url).hostname or tr("its server")


class Verifying(Ledger):
    """Verification and the ready record."""

    async def _verify(self, spec: ModelSpec, size: int, switch: bool, generation: int) -> None:
        self._report(spec.id, "verifying", 0, size, message=tr("Checking the file…"))
        if spec.url and not spec.sha256 and await self._gguf_refused(spec, size, generation):
            return
        sha, stored = await self.files.digest(spec.id, lambda n: self._report(spec.id, "verifying", n, size))
        if not self._live(spec.id, generation):
            return
        if spec.sha256 and (sha != spec.sha256 or stored != spec.bytes):
            await self.files.remove(spec.id)
            self._fail(spec.id, tr(CHECKSUM, host=host_of(spec.url)))
            return
        if spec.runtime == "cpu" and spec.source in ("custom", "imported"):
            spec = replace(spec, family=await self._gguf_family(spec, size))
        await self.ready(spec, sha, stored, switch, generation)

    async def _gguf_family(self, spec: ModelSpec, size: int) -> str:
        """The template family a GGUF's own chat template spells (models/gguf.py family_of);
        "completion" (plain text to continue) for one the app does not know; the name's guess
        when the file has none."""
        head = await read_head(lambda n: self.files.head(spec.id, n), size)
        template = gguf.layout(head).chat_template
        return (gguf.family_of(template) or "completion") if template else spec.family

    async def _gguf_refused(self, spec: ModelSpec, size: int, generation: int) -> bool:
        """Delete and fail a stored GGUF whose layout needs more than its `size` bytes or is
        nonsense (read from its first chunk; a longer metadata stays unjudged)."""
        head = await read_head(lambda n: self.files.head(spec.id, n), size)
        fault = gguf_fault(head, size) if model_format(head) == "gguf" else None
        if fault is None or not self._live(spec.id, generation):
            return False
        await self.files.remove(spec.id)
        self._fail(
            spec.id,
            tr(INCOMPLETE_DOWNLOAD if fault == "truncated" else NOT_A_MODEL_DOWNLOAD, host=host_of(spec.url)),
        )
        return True

    async def _expected(self, spec: ModelSpec) -> ModelSpec | None:
        """The record to prove the bytes against: with the Hub's LFS facts for a file on a Hub
        (asked before the first byte; the catalogue's own facts when it cannot be reached), or
        None after failing the download when the Hub and the catalogue disagree."""
        source = hub_file(spec.url)
        if source is None or self.hub is None:
            return spec
        asking = tr("Asking {host} what the file must be…", host=host_of(spec.url))
        self._report(spec.id, "checking", 0, spec.bytes or None, message=asking)
        answer = await self.hub(source.api)
        facts = lfs_facts(answer, source.path) if answer else None
        if facts is None:
            return spec
        if spec.sha256 and spec.sha256 != facts[0]:
            self._fail(spec.id, tr(HUB_CONFLICT, host=host_of(spec.url)))
            return None
        return replace(spec, sha256=facts[0], bytes=facts[1])

    async def _proven_start(self, spec: ModelSpec, result: Transfer, done: int, generation: int) -> bool:
        """Refuse a web page (a captive portal's) at once, and stored bytes that start like no model."""
        if result.kind == "type":
            problem = tr(WEB_PAGE, host=host_of(spec.url))
        elif not done or spec.id in self._offsets or not self._live(spec.id, generation):
            return True  # a file of a set (a config, a tokenizer) is proven by its checksum
        elif model_format(await self.files.head(spec.id, HEAD_BYTES)) is None and self._live(
            spec.id, generation
        ):
            problem = tr(NOT_A_MODEL_DOWNLOAD, host=host_of(spec.url))
        else:
            return True
        await self.files.remove(spec.id)
        return self._fail(spec.id, problem)

    async def ready(
        self, spec: ModelSpec, sha: str, size: int, switch: bool = False, generation: int | None = None
    ) -> None:
        """Record a verified copy: commit it, pin its checksum, tell the app (unless, with a
        `generation`, an intent came meanwhile: a Delete then removes it)."""
        pinned = pin(spec, sha, size)
        if generation is not None and not self._live(spec.id, generation):
            return
        await self.files.commit(spec.id, json.dumps({"id": spec.id, "sha256": sha, "bytes": size}))
        if generation is not None and not self._live(spec.id, generation):
            return
        self.plans.put(spec.id, None)
        if pinned != self._spec(spec.id):
            self.pinned(pinned)
        self.store.dispatch(ModelsStored(self.store.state.ready | {spec.id}))
        self._report(spec.id, "ready", size, size)
        self.on_ready(pinned, switch)
