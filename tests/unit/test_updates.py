"""Updates that strand no one: Reload waits for an answer or a download, another window's
update is shown, and an app left open looks for a new version every hour."""

from __future__ import annotations

import contextlib

from tabula.chat.messages import Message
from tabula.core import versions
from tabula.core.actions import DownloadChanged, MessagePut, Store
from tabula.core.state import State
from tabula.models.transfers import Download
from tabula.ui.app import App
from tabula.ui.handlers.updates import UpdateControls
from tests.aio import run
from tests.fakes import FakePage, FakeUpdates


def make(pending: bool = False, elsewhere: bool = False, state: State | None = None):
    store = Store(state or State(version="v1"))
    updates, page = FakeUpdates(pending=pending, taken_elsewhere=elsewhere), FakePage(hash_="#/chat")
    controls = UpdateControls(store, updates)
    app = App(store, page, updates, controls.table())
    app.start()
    return app, store, page, updates


def answer(status: str) -> MessagePut:
    return MessagePut(Message(id=2, role="assistant", text="Photosynthesis is", status=status))


def test_reload_with_nothing_running_takes_the_update_at_once() -> None:
    app, _store, page, updates = make(pending=True)
    assert "Update available" in page.banner
    app.on_action("apply-update", {})
    assert updates.applied == 1


def test_reload_while_an_answer_streams_waits_for_the_answer() -> None:
    app, store, page, updates = make(pending=True)
    store.dispatch(answer("streaming"))
    app.on_action("apply-update", {})
    assert updates.applied == 0  # the answer is not thrown away mid-sentence
    assert "as soon as the work in progress is finished" in page.banner
    assert 'data-action="apply-update"' not in page.banner
    store.dispatch(answer("streaming"))
    assert updates.applied == 0
    store.dispatch(answer("done"))
    assert updates.applied == 1


def test_reload_while_a_download_runs_waits_for_the_download() -> None:
    app, store, _page, updates = make(pending=True)
    store.dispatch(DownloadChanged(Download("gemma3-1b", "downloading", done=5, total=10)))
    app.on_action("apply-update", {})
    assert updates.applied == 0
    store.dispatch(DownloadChanged(Download("gemma3-1b", "verifying", done=10, total=10)))
    assert updates.applied == 0
    store.dispatch(DownloadChanged(Download("gemma3-1b", "ready", done=10, total=10)))
    assert updates.applied == 1
    store.dispatch(answer("done"))
    assert updates.applied == 1  # taken once


def test_another_windows_update_is_shown_with_reload_and_beats_the_engine_notice() -> None:
    app, _store, page, _updates = make()
    assert page.banner == ""
    assert not page.blocked
    app.on_updated_elsewhere()
    assert "updated in another window" in page.banner and 'role="alert"' in page.banner
    assert page.blocked  # the old version cannot go on: only Reload is live
    _app, _store, page, updates = make(elsewhere=True, state=State(elsewhere=True))
    assert "updated in another window" in page.banner
    _app.on_action("apply-update", {})
    assert updates.applied == 1


def test_reload_without_an_update_does_nothing() -> None:
    app, store, page, updates = make()
    app.on_action("apply-update", {})
    assert updates.applied == 0 and not store.state.update_deferred and page.banner == ""


def test_the_blocker_names_what_a_reload_would_interrupt() -> None:
    state = State()
    assert versions.blocker(state) == ""
    assert versions.blocker(Store(state).state) == ""
    store = Store(state)
    store.dispatch(answer("waiting"))
    assert versions.blocker(store.state) == "answer"
    store.dispatch(answer("stopped"))
    assert versions.blocker(store.state) == ""
    store.dispatch(DownloadChanged(Download("m", "paused")))
    assert versions.blocker(store.state) == ""  # a paused download resumes after a reload
    store.dispatch(DownloadChanged(Download("m", "waiting", message="No connection")))
    assert versions.blocker(store.state) == ""  # nothing is lost: it resumes after the reload
    store.dispatch(DownloadChanged(Download("m", "checking")))
    assert versions.blocker(store.state) == "download"


def test_an_app_left_open_looks_for_a_new_version_every_hour() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) > 3:
            raise TimeoutError("enough")

    store, updates = Store(State()), FakeUpdates()
    controls = UpdateControls(store, updates, sleep)

    async def days() -> None:
        with contextlib.suppress(TimeoutError):
            await controls.keep_checking()
        await controls.check()  # the app was shown again

    run(days())
    assert slept == [3600, 3600, 3600, 3600]
    assert updates.checks == 4


def test_another_windows_update_blocks_this_one_only_after_its_answer() -> None:
    app, store, page, updates = make()
    store.dispatch(answer("streaming"))
    updates.taken_elsewhere = True  # what boot.js knows once the other window took it
    app.on_updated_elsewhere()
    assert "updated in another window" in page.banner
    assert not page.blocked  # the answer goes on streaming on the old version's files
    app.on_action("apply-update", {})
    assert updates.applied == 0
    assert "as soon as the work in progress is finished" in page.banner
    store.dispatch(answer("done"))
    assert updates.applied == 1  # Reload, pressed mid-answer, happens once the answer is kept


def test_reload_clicked_again_asks_again() -> None:
    """A Reload that did not take (the page is still here) is not dead: the next click asks again."""
    app, _store, _page, updates = make(pending=True)
    updates.reloads = False
    app.on_action("apply-update", {})
    app.on_action("apply-update", {})
    assert updates.applied == 2
