"""A browser that cannot keep models (no Storage API, or a private session: issue #23): a download
or an import says so in one sentence before anything is fetched or copied, the Models page says it
with what still works, and the device report names how model files are written."""

from __future__ import annotations

from tabula.core.state import State
from tabula.models.fit import DeviceReport
from tabula.models.transfers import CANNOT_KEEP, Quota
from tabula.ui.views import models as view
from tests.aio import run
from tests.unit.test_downloader import Rig, choice, task_file

NONE = Quota(files="none")


def test_a_download_says_the_browser_cannot_keep_models() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.quota = NONE
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed" and job.message == CANNOT_KEEP
        assert rig.files.fetches == [] and rig.files.models == {}

    run(scenario())


def test_an_import_says_it_above_the_list() -> None:
    """An imported file has no card yet: the sentence is the page's notice."""

    async def scenario() -> None:
        rig = Rig()
        rig.files.quota = NONE
        await rig.downloader.import_file(choice("gemma3-web.task", task_file()))
        assert rig.store.state.models_notice == CANNOT_KEEP
        assert rig.files.imports == [] and rig.files.models == {}

    run(scenario())


def test_the_models_page_says_what_the_browser_can_do_for_models() -> None:
    report = DeviceReport(cores=4)
    page = view.catalogue(State(device=report, storage=NONE))
    assert CANNOT_KEEP in page.replace("&#x27;", "'") and "cloud engine still works" in page
    assert "none: this browser cannot keep models" in view.device(report, NONE)
    assert CANNOT_KEEP not in view.catalogue(State(device=report, storage=Quota(files="sync")))
    assert "sync access handles in a worker" in view.device(report, Quota(10**9, 0, True, "sync"))
    assert "writable streams" in view.device(report, Quota(10**9, 0, True))
