"""What every download and import shares: the ports, the plans, the reports people read, room.

Ledger is the base of the Downloader (models/downloader.py) and its parts (models/verifying.py,
models/intake.py): it says where each model's transfer stands (DownloadChanged), fails it with
a message, checks the quota before a byte is stored and asks once for persistent storage.
The files of a model made of several (store ids "<set>/<file>", catalog.part_id) share their
set's intents, plan and card: a file's progress is reported as the set's, after the files before it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from tabula.core.actions import DownloadChanged, StorageMeasured, Store
from tabula.core.ports import KeyValueStore
from tabula.core.tasks import Spawn
from tabula.i18n.translate import tr
from tabula.models.catalog import ModelSpec, owner_of
from tabula.models.ports import ModelStore
from tabula.models.transfers import STORAGE_REFUSED, Download, Plans, quota_problem, size_text


class Ledger:
    """The Downloader's shared state and its reports."""

    def __init__(
        self, store: Store, files: ModelStore, kv: KeyValueStore, chunk: int, spawn: Spawn,
        on_ready: Callable[[ModelSpec, bool], None], pinned: Callable[[ModelSpec], None],
        delay_scale: float = 1.0, clock: Callable[[], float] = time.monotonic,
        hub: Callable[[str], Awaitable[str | None]] | None = None,
    ) -> None:  # fmt: skip
        self.store, self.files, self.kv, self.chunk, self.spawn = store, files, kv, chunk, spawn
        self.on_ready, self.pinned, self.delay_scale, self.clock = on_ready, pinned, delay_scale, clock
        self.plans = Plans(kv)
        self.hub = hub  # GET a URL's text (the Hub's model API), None when unreachable
        self._running: set[str] = set()
        self._paused: set[str] = set()  # paused, deleted or handed to another window
        self._generation: dict[str, int] = {}  # bumped by every intent: a run acts only while current
        self._actors: dict[str, asyncio.Lock] = {}  # one actor per model: runs and deletes in order
        self._offsets: dict[str, tuple[int, int]] = {}  # a set's file id -> (bytes before it, set total)

    def _intent(self, model_id: str) -> int:
        """A new intent for the model (start, pause, delete, hand-over): its generation number."""
        model_id = owner_of(model_id)
        self._generation[model_id] = self._generation.get(model_id, 0) + 1
        return self._generation[model_id]

    def _live(self, model_id: str, generation: int) -> bool:
        """Whether no intent came after `generation`: checked before every side effect."""
        return self._generation.get(owner_of(model_id), 0) == generation

    def _actor(self, model_id: str) -> asyncio.Lock:
        return self._actors.setdefault(owner_of(model_id), asyncio.Lock())

    async def measure(self) -> None:
        self.store.dispatch(StorageMeasured(await self.files.estimate()))

    async def _room_for(self, spec: ModelSpec, done: int) -> bool:
        quota = await self.files.estimate()
        self.store.dispatch(StorageMeasured(quota))
        need = max(spec.bytes - done, 0)
        problem = quota_problem(need, quota)
        if problem is None and need and not await self.files.can_store(need):
            problem = tr(STORAGE_REFUSED, size=size_text(need))
        if problem:
            self._fail(spec.id, problem, done)
        return problem is None

    async def _persist_once(self) -> None:
        state = self.store.state.storage
        if state is None or not state.persisted:  # the answer shows under "This device"
            await self.files.persist()
            self.store.dispatch(StorageMeasured(await self.files.estimate()))

    def _report(
        self, model_id: str, phase: str, done: int, total: int | None = None, speed: float | None = None,
        message: str = "",
    ) -> None:  # fmt: skip
        if model_id in self._offsets:  # one file of a set: the set's card shows the whole
            before, whole = self._offsets[model_id]
            model_id, done, total = owner_of(model_id), before + done, whole or None
        self.store.dispatch(DownloadChanged(Download(model_id, phase, done, total, speed, message)))

    def _fail(self, model_id: str, message: str, done: int = 0, total: int | None = None) -> bool:
        self.plans.put(owner_of(model_id), None)  # never retried at the next boot: the user decides
        self._report(model_id, "failed", done, total, message=message)
        return False

    def _spec(self, model_id: str) -> ModelSpec | None:
        return next((m for m in self.store.state.catalog if m.id == model_id), None)
