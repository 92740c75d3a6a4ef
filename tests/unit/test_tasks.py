"""core.tasks.Tasks: the one supervisor of background work; a failure nobody handled reaches the
banner (with Dismiss) instead of only the console."""

from __future__ import annotations

import asyncio

from tabula.core.actions import Store, TroubleReported
from tabula.core.state import State
from tabula.core.tasks import Tasks
from tabula.ui.app import App
from tests.aio import run
from tests.fakes import FakePage, FakeUpdates


def test_spawned_work_is_kept_until_it_ends_and_then_forgotten() -> None:
    async def scenario() -> None:
        tasks = Tasks()
        gate = asyncio.Event()
        tasks.spawn(gate.wait())
        assert len(tasks) == 1 and all(not t.done() for t in tasks)
        gate.set()
        await tasks.settle()
        assert len(tasks) == 0

    run(scenario())


def test_a_failure_is_shown_in_the_banner_until_dismissed() -> None:
    async def broken() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("the disk said no")

    async def scenario() -> None:
        store, page = Store(State()), FakePage(hash_="#/chat")
        app = App(store, page, FakeUpdates())
        app.start()
        tasks = Tasks(on_failure=lambda text: store.dispatch(TroubleReported(text)))
        tasks.spawn(broken())
        await tasks.settle()
        assert store.state.trouble == "Something went wrong in the background: the disk said no"
        assert "the disk said no" in page.banner and 'role="alert"' in page.banner
        app.on_action("dismiss-trouble", {})
        assert store.state.trouble == "" and page.banner == ""

    run(scenario())


def test_cancelled_work_is_not_a_failure() -> None:
    async def scenario() -> None:
        said: list[str] = []
        tasks = Tasks(on_failure=said.append)
        task = tasks.spawn(asyncio.sleep(10))
        await asyncio.sleep(0)
        task.cancel()
        await tasks.settle()
        assert said == [] and len(tasks) == 0

    run(scenario())
