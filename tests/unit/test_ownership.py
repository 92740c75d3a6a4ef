"""Two windows of one origin (two tabs, or the installed app and a tab): one engine and one
downloader between them, the other window says so plainly, and takes over when asked."""

from __future__ import annotations

from tabula.core.actions import Store
from tabula.core.decide import decide_for
from tabula.core.state import State
from tabula.models.catalog import ModelSpec
from tabula.models.ownership import Ownership
from tabula.ui.app import App
from tabula.ui.handlers.models import ModelControls
from tests.aio import run
from tests.fakes import FakeLocks, FakePage, FakeUpdates, FakeWindowLock

TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")


class Window:
    """One window's share: its Store and page, and what it did with the engine and downloads."""

    def __init__(self, locks: FakeLocks) -> None:
        self.store = Store(State(catalog=(TINY,), model_id="tiny"))
        self.page = FakePage(hash_="#/chat")
        self.app = App(self.store, self.page, FakeUpdates())
        self.app.start()
        self.log: list[str] = []
        self.ownership = Ownership(
            self.store, FakeWindowLock(locks), self._gain, lambda: self.log.append("lose")
        )

    async def _gain(self) -> None:
        self.log.append("gain")


def test_the_second_window_leaves_the_engine_to_the_first_and_says_so() -> None:
    async def scenario() -> None:
        locks = FakeLocks()
        first, second = Window(locks), Window(locks)
        assert await first.ownership.claim() is True
        assert await second.ownership.claim() is False
        assert not first.store.state.elsewhere and second.store.state.elsewhere
        assert "Use Tabula here" in second.page.banner and "another window" in second.page.banner
        assert first.page.banner == ""
        decision = decide_for(second.store.state, "chat")
        assert decision.where == "unavailable" and "another Tabula window" in decision.reason
        assert decide_for(first.store.state, "chat").where == "local"

    run(scenario())


def test_use_tabula_here_moves_the_engine_and_the_downloads() -> None:
    async def scenario() -> None:
        locks = FakeLocks()
        first, second = Window(locks), Window(locks)
        await first.ownership.claim()
        await second.ownership.claim()
        await second.ownership.take_over()
        assert second.log == ["gain"] and first.log == ["lose"]
        assert first.store.state.elsewhere and not second.store.state.elsewhere
        assert "Use Tabula here" in first.page.banner and second.page.banner == ""
        await first.ownership.take_over()  # and back again
        assert first.log == ["lose", "gain"] and second.log == ["gain", "lose"]

    run(scenario())


class Downloads:
    def __init__(self) -> None:
        self.started: list[str] = []

    def start(self, model_id: str, switch: bool = False) -> None:
        self.started.append(model_id)


def test_model_actions_in_the_other_window_say_where_they_run_and_do_nothing() -> None:
    async def scenario() -> None:
        locks = FakeLocks()
        first, second = Window(locks), Window(locks)
        await first.ownership.claim()
        await second.ownership.claim()
        downloads = Downloads()
        controls = ModelControls(second.store, downloads, lambda: None).table()  # type: ignore[arg-type]
        controls["download-model"]({"id": "tiny"})
        assert downloads.started == []
        assert "managed in the other Tabula window" in second.store.state.models_notice

    run(scenario())
