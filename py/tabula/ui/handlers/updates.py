"""The update offer's Reload button, and the periodic look for a new version.

Reload takes the new version now, or, while an answer, a study tool or a download runs, as
soon as it has finished (core/versions.py says when). An app left open for days asks the browser
to look for a new version when it is shown again and every hour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tabula.core import versions
from tabula.core.actions import Store, UpdateDeferred
from tabula.core.state import State
from tabula.ui.ports import Handler, Updates


class UpdateControls:
    """Reload into the new version when nothing would be lost; look for one now and then."""

    def __init__(
        self,
        store: Store,
        updates: Updates,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.store, self.updates, self.sleep = store, updates, sleep
        self._taken = False
        store.subscribe(self._changed)

    def table(self) -> dict[str, Handler]:
        return {"apply-update": self.apply}

    def apply(self, _data: dict[str, str]) -> None:
        state = self.store.state
        if not state.update_waiting:
            return
        if versions.take_now(state):
            self._taken = self.updates.apply()  # a second click tries again: nothing was taken
        else:
            self.store.dispatch(UpdateDeferred(True))

    def _changed(self, _old: State, new: State) -> None:
        if new.update_deferred and versions.take_now(new):
            self._take()

    def _take(self) -> None:
        if not self._taken:
            self._taken = self.updates.apply()

    async def check(self) -> None:
        """Ask the browser to look for a new version now (it says so through UpdateWaiting)."""
        await self.updates.check()

    async def keep_checking(self) -> None:
        """Look for a new version every CHECK_EVERY_S seconds, for the page's life."""
        while True:
            await self.sleep(versions.CHECK_EVERY_S)
            await self.updates.check()
