"""Tasks: the one supervisor of the app's background work (answers, saves, downloads, imports).

Every part that starts work it does not await hands it to `Tasks.spawn`, which keeps a reference
(so the loop cannot collect it) and, when the work fails with an exception nobody caught, tells
`on_failure` a sentence for people (the app shows it in its banner) as well as the console. A
part that expects a failure handles it itself; this is the net under the rest. Stdlib only.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator

from tabula.i18n.translate import tr

Spawn = Callable[[Awaitable[object]], object]  # what a part is given to start background work


class Tasks:
    """The running background tasks; iterable and sized, so tests can await them all."""

    def __init__(self, on_failure: Callable[[str], None] | None = None) -> None:
        self.on_failure = on_failure or (lambda _text: None)
        self._running: set[asyncio.Future[object]] = set()

    def spawn(self, work: Awaitable[object]) -> asyncio.Future[object]:
        """Run `work` without awaiting it; a failure is reported, never lost."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._settled)
        return task

    def _settled(self, task: asyncio.Future[object]) -> None:
        self._running.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        print(f"Tabula: background work failed: {error!r}", file=sys.stderr)
        self.on_failure(tr("Something went wrong in the background: {error}", error=error))

    async def settle(self) -> None:
        """Wait until nothing runs, including work spawned meanwhile (errors are reported)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def __iter__(self) -> Iterator[asyncio.Future[object]]:
        return iter(set(self._running))

    def __len__(self) -> int:
        return len(self._running)
