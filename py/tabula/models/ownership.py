"""Ownership: which window of this origin runs the engine and the downloads. Pure over the
WindowLock port.

Two tabs, or the installed app and a tab, would otherwise each load the model (twice the GPU
memory) and resume the same downloads twice. The first window to claim the lock owns both; any
other says plainly that the model runs in the other window (State.elsewhere), and takes over
when the user asks: the lock moves, the old owner lets its engine go and suspends its downloads
(their plans stay, so the new owner resumes them from the same byte).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tabula.core.actions import EngineElsewhere, Store
from tabula.models.ports import WindowLock


class Ownership:
    def __init__(
        self, store: Store, lock: WindowLock, gain: Callable[[], Awaitable[None]], lose: Callable[[], None]
    ) -> None:
        self.store, self.lock, self.gain, self.lose = store, lock, gain, lose

    async def claim(self) -> bool:
        """At boot: own the engine unless another window does; True when this window owns it."""
        owner = await self.lock.hold(False, self._lost)
        self.store.dispatch(EngineElsewhere(not owner))
        return owner

    async def take_over(self) -> None:
        """The user asked to use Tabula here: take the engine from the other window, then run it."""
        if not self.store.state.elsewhere:
            return
        if await self.lock.hold(True, self._lost):
            self.store.dispatch(EngineElsewhere(False))
            await self.gain()

    def _lost(self) -> None:
        """Another window took over: let the engine and the downloads go, and say so."""
        self.store.dispatch(EngineElsewhere(True))
        self.lose()
