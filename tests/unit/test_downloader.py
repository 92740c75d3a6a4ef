"""Downloader policy against an in-memory ModelStore: resume, verify, quota, pause, restore, import."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import random
import struct
import time
import zipfile
from collections.abc import Awaitable, Callable

import pytest

from tabula.core.actions import CatalogChanged, Store
from tabula.core.state import State
from tabula.models import format as modelformat
from tabula.models.catalog import ModelSpec, custom
from tabula.models.downloader import GIVE_UP, Downloader
from tabula.models.transfers import (
    MARGIN,
    STORAGE_REFUSED,
    Download,
    FileChoice,
    Plans,
    Quota,
    http_problem,
    quota_problem,
    size_text,
)
from tests.aio import run
from tests.fakes import FakeKeyValueStore, FakeModelStore
from tests.gguf_bytes import small_model

CHUNK = 1000
DATA = b"\x1c\0\0\0TFL3" + random.Random(7).randbytes(4492)  # a TFLite model: 4 whole chunks, a short one
SHA = hashlib.sha256(DATA).hexdigest()
URL = "https://models.example/gemma3-test.task"
SPEC = ModelSpec("g", "Gemma test", "gemma3", URL, len(DATA), SHA, "catalogue")


class Rig:
    """A Downloader wired to fakes; spawn() schedules on the running loop and settle() awaits it all."""

    def __init__(
        self, *catalog: ModelSpec, delay_scale: float = 0.0, kv: FakeKeyValueStore | None = None
    ) -> None:
        self.store = Store(State(catalog=catalog or (SPEC,)))
        self.files = FakeModelStore()
        self.files.serve(URL, DATA)
        self.kv = kv or FakeKeyValueStore()
        self.tasks: list[asyncio.Future[None]] = []
        self.readied: list[tuple[ModelSpec, bool]] = []
        self.pins: list[ModelSpec] = []
        self.phases: list[Download] = []
        self.store.subscribe(self._watch)
        self.downloader = Downloader(
            self.store, self.files, self.kv, CHUNK, self.spawn,
            on_ready=lambda spec, switch: self.readied.append((spec, switch)), pinned=self.pin,
            delay_scale=delay_scale,
        )  # fmt: skip

    def spawn(self, work: Awaitable[None]) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def settle(self, timeout: float = 5) -> None:
        """Await every spawned task, including those spawned meanwhile; re-raise their errors."""
        async with asyncio.timeout(timeout):
            while not all(task.done() for task in self.tasks):
                await asyncio.gather(*self.tasks)
        for task in self.tasks:
            task.result()

    def pin(self, spec: ModelSpec) -> None:
        """Like main.remember: add or replace the catalogue record."""
        self.pins.append(spec)
        catalog = self.store.state.catalog
        if any(m.id == spec.id for m in catalog):
            self.store.dispatch(CatalogChanged(tuple(spec if m.id == spec.id else m for m in catalog)))
        else:
            self.store.dispatch(CatalogChanged((*catalog, spec)))

    def when(self, test: Callable[[Download], bool], then: Callable[[], None]) -> None:
        """Call `then` once, soon after the first Download report that passes `test` (as a click would)."""
        fired: list[bool] = []

        def watch(old: State, new: State) -> None:
            changed = [d for d in new.downloads if d not in old.downloads]
            if not fired and any(test(d) for d in changed):
                fired.append(True)
                asyncio.get_running_loop().call_soon(then)

        self.store.subscribe(watch)

    def _watch(self, old: State, new: State) -> None:
        self.phases.extend(d for d in new.downloads if d not in old.downloads)

    def job(self, model_id: str = "g") -> Download | None:
        return self.store.state.download(model_id)

    def plans(self) -> dict[str, dict]:
        return json.loads(self.kv.get(Plans.KEY) or "{}")


def test_download_verifies_commits_and_reports_ready() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.downloader.start("g", switch=True)
        assert rig.plans() == {"g": {"paused": False, "switch": True}}
        await rig.settle()
        job = rig.job()
        assert job is not None and (job.phase, job.done, job.total) == ("ready", len(DATA), len(DATA))
        assert rig.store.state.ready == frozenset({"g"})
        assert rig.files.bytes_of("g") == DATA
        assert json.loads(rig.files.meta["g"]) == {"id": "g", "sha256": SHA, "bytes": len(DATA)}
        assert rig.plans() == {}
        assert rig.readied == [(SPEC, True)]
        assert rig.pins == []  # the record already had its checksum
        assert rig.files.fetches == [("g", URL, 0)]
        assert rig.files.persist_calls == 1 and rig.store.state.storage == rig.files.quota
        assert [d.phase for d in rig.phases][-2:] == ["verifying", "ready"]
        assert any(d.phase == "downloading" and 0 < d.done < len(DATA) for d in rig.phases)

    run(scenario())


def test_drops_resume_from_whole_chunks_and_end_verified() -> None:
    async def scenario() -> None:
        rig = Rig()
        # Mid-chunk, on a boundary, one byte short of a chunk (no progress), inside the short last chunk.
        for cut in (2500, 1000, 999, 1450):
            rig.files.drop_after(URL, cut)
        rig.downloader.start("g")
        await rig.settle()
        assert [start for _, _, start in rig.files.fetches] == [0, 2000, 3000, 3000, 4000]
        assert all(start % CHUNK == 0 for _, _, start in rig.files.fetches)
        waits = [d for d in rig.phases if d.phase == "waiting"]
        assert len(waits) == 4
        assert all(d.message.startswith("No connection to models.example — retrying in") for d in waits)
        assert rig.job() is not None and rig.job().phase == "ready"
        assert rig.files.bytes_of("g") == DATA and json.loads(rig.files.meta["g"])["sha256"] == SHA

    run(scenario())


def test_wrong_bytes_fail_the_checksum_and_are_deleted() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.corrupt(URL)
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed"
        assert job.message == (
            "The downloaded file does not match the expected checksum: the file at models.example "
            "changed upstream, or something on the way altered it. It was deleted and will not be used."
        )
        assert "g" not in rig.files.models and "g" not in rig.files.meta
        assert rig.store.state.ready == frozenset() and rig.readied == []

    run(scenario())


@pytest.mark.parametrize("code", [401, 403, 404, 500])
def test_http_refusal_fails_with_its_message(code: int) -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.status(URL, code)
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed" and job.message == http_problem(code)
        assert len(rig.files.fetches) == 1  # not retried
        assert rig.store.state.ready == frozenset() and rig.readied == []

    run(scenario())


def test_quota_too_small_fails_before_any_fetch() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.quota = Quota(quota=len(DATA) + MARGIN - 1, usage=0)
        expected = quota_problem(len(DATA), rig.files.quota)
        assert expected is not None
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed" and job.message == expected
        assert rig.files.fetches == [] and rig.plans() == {}
        assert rig.store.state.storage == rig.files.quota

    run(scenario())


def test_storage_refused_by_the_browser_fails_before_any_fetch() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.capacity = len(DATA) - 1
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed"
        assert job.message == STORAGE_REFUSED.format(size=size_text(len(DATA)))
        assert rig.files.fetches == [] and rig.plans() == {}

    run(scenario())


def test_pause_keeps_whole_chunks_and_start_resumes_from_them() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.when(lambda d: d.phase == "downloading" and d.done >= 2000, lambda: rig.downloader.pause("g"))
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and (job.phase, job.done, job.total) == ("paused", 2000, len(DATA))
        assert rig.plans() == {"g": {"paused": True, "switch": False}}
        assert len(rig.files.bytes_of("g")) == 2000 and rig.readied == []

        rig.downloader.start("g")
        await rig.settle()
        assert [start for _, _, start in rig.files.fetches] == [0, 2000]
        assert rig.job() is not None and rig.job().phase == "ready"
        assert rig.files.bytes_of("g") == DATA and rig.plans() == {}

    run(scenario())


def test_start_twice_runs_one_download() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.downloader.start("g")
        rig.downloader.start("g")
        await rig.settle()
        assert len(rig.files.fetches) == 1 and len(rig.readied) == 1

    run(scenario())


def test_delete_a_stored_model_frees_it() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.downloader.start("g")
        await rig.settle()
        assert "g" in rig.store.state.ready
        rig.downloader.delete("g")
        await rig.settle()
        assert "g" not in rig.files.models and "g" not in rig.files.meta
        assert rig.store.state.ready == frozenset() and rig.job() is None
        assert rig.plans() == {}

    run(scenario())


def test_delete_during_a_download_cancels_it() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.when(lambda d: d.phase == "downloading" and d.done >= 1000, lambda: rig.downloader.delete("g"))
        rig.downloader.start("g")
        await rig.settle()
        assert rig.files.bytes_of("g") == b"" and "g" not in rig.files.meta
        assert rig.job() is None and rig.store.state.ready == frozenset()
        assert rig.readied == [] and rig.plans() == {}

    run(scenario())


def partial(files: FakeModelStore, upto: int) -> None:
    """Leave `upto` bytes of DATA stored as whole chunks, plus an irregular leftover after them."""
    files.models["g"] = {i: DATA[i * CHUNK : (i + 1) * CHUNK] for i in range(upto // CHUNK)}
    files.models["g"][upto // CHUNK] = DATA[upto : upto + 300]  # a chunk cut short by a reload


def test_restore_resumes_a_running_plan_and_finishes() -> None:
    async def scenario() -> None:
        kv = FakeKeyValueStore({Plans.KEY: json.dumps({"g": {"paused": False, "switch": True}})})
        rig = Rig(kv=kv)
        partial(rig.files, 2000)
        await rig.downloader.restore()
        await rig.settle()
        assert rig.files.fetches == [("g", URL, 2000)]  # the short leftover was dropped, not trusted
        assert rig.job() is not None and rig.job().phase == "ready"
        assert rig.files.bytes_of("g") == DATA and rig.readied == [(SPEC, True)]
        assert rig.plans() == {}

    run(scenario())


def test_restore_shows_a_paused_plan_without_fetching() -> None:
    async def scenario() -> None:
        kv = FakeKeyValueStore({Plans.KEY: json.dumps({"g": {"paused": True, "switch": False}})})
        rig = Rig(kv=kv)
        rig.files.models["g"] = {0: DATA[:CHUNK], 1: DATA[CHUNK : 2 * CHUNK]}
        await rig.downloader.restore()
        await rig.settle()
        job = rig.job()
        assert job is not None and (job.phase, job.done) == ("paused", 2000)
        assert rig.files.fetches == [] and rig.store.state.ready == frozenset()
        assert rig.plans() == {"g": {"paused": True, "switch": False}}
        assert rig.store.state.storage == rig.files.quota

    run(scenario())


def test_restore_shows_a_paused_download_with_its_total() -> None:
    """After a reload a paused download should read "2 MB of 4.5 MB (44 %)" as it did before."""

    async def scenario() -> None:
        kv = FakeKeyValueStore({Plans.KEY: json.dumps({"g": {"paused": True, "switch": False}})})
        rig = Rig(kv=kv)
        rig.files.models["g"] = {0: DATA[:CHUNK], 1: DATA[CHUNK : 2 * CHUNK]}
        await rig.downloader.restore()
        job = rig.job()
        assert job is not None and job.total == len(DATA) and job.percent == 44

    run(scenario())


def test_restore_lists_ready_models_pins_them_and_drops_stale_plans() -> None:
    async def scenario() -> None:
        loose = ModelSpec("c", "Custom", "gemma3", "https://h.example/c.task", 0, "", "custom")
        plans = {"g": {"paused": False, "switch": False}, "gone": {"paused": False, "switch": False}}
        rig = Rig(SPEC, loose, kv=FakeKeyValueStore({Plans.KEY: json.dumps(plans)}))
        rig.files.models["g"] = {0: DATA}
        rig.files.meta["g"] = json.dumps({"id": "g", "sha256": SHA, "bytes": len(DATA)})
        rig.files.models["c"] = {0: b"x" * 1200}
        rig.files.meta["c"] = json.dumps({"id": "c", "sha256": "ab" * 32, "bytes": 1200})
        await rig.downloader.restore()
        await rig.settle()
        assert rig.store.state.ready == frozenset({"g", "c"})
        assert rig.files.fetches == [] and rig.plans() == {}
        assert [(p.id, p.sha256, p.bytes) for p in rig.pins] == [("c", "ab" * 32, 1200)]

    run(scenario())


def test_a_custom_model_is_pinned_with_the_checksum_it_arrived_with() -> None:
    async def scenario() -> None:
        spec = custom("https://host.example/files/my-gemma3.task")
        rig = Rig(spec)
        rig.files.serve(spec.url, DATA)
        rig.downloader.start(spec.id)
        await rig.settle()
        assert [(p.id, p.sha256, p.bytes) for p in rig.pins] == [(spec.id, SHA, len(DATA))]
        assert rig.store.state.catalog[0].sha256 == SHA
        assert rig.readied and rig.readied[0][0].sha256 == SHA
        assert rig.files.bytes_of(spec.id) == DATA

    run(scenario())


def test_a_custom_model_from_a_server_without_content_length_keeps_its_last_bytes() -> None:
    """A chunked (length-less) response: the short last chunk must not be dropped as a leftover."""

    async def scenario() -> None:
        spec = custom("https://host.example/files/my-gemma3.task")
        rig = Rig(spec)
        rig.files.serve(spec.url, DATA, length=False)
        rig.downloader.start(spec.id)
        await rig.settle()
        assert rig.job(spec.id) is not None and rig.job(spec.id).phase == "ready"
        assert rig.files.bytes_of(spec.id) == DATA
        assert [(p.sha256, p.bytes) for p in rig.pins] == [(SHA, len(DATA))]

    run(scenario())


def test_consecutive_network_failures_give_up_and_pause() -> None:
    async def scenario() -> None:
        rig = Rig()
        for _ in range(GIVE_UP):
            rig.files.drop_after(URL, 0)
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "paused" and "no connection" in job.message
        assert len(rig.files.fetches) == GIVE_UP and rig.readied == []
        waits = [d.message for d in rig.phases if d.phase == "waiting"]
        assert waits == [
            f"No connection to models.example — retrying in {s} s." for s in (1, 2, 4, 8, 16, 30, 30)
        ]

    run(scenario())


def test_progress_resets_the_failure_count() -> None:
    async def scenario() -> None:
        rig = Rig()
        for _ in range(GIVE_UP - 1):
            rig.files.drop_after(URL, 0)
        rig.files.drop_after(URL, CHUNK)  # one whole chunk: progress
        for _ in range(GIVE_UP - 1):
            rig.files.drop_after(URL, 0)
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "ready"
        assert len(rig.files.fetches) == 2 * GIVE_UP

    run(scenario())


def test_network_back_wakes_a_waiting_retry() -> None:
    async def scenario() -> None:
        rig = Rig(delay_scale=100.0)  # a first retry would wait 100 s
        rig.files.drop_after(URL, 0)
        rig.when(lambda d: d.phase == "waiting", rig.downloader.network_back)
        began = time.monotonic()
        rig.downloader.start("g")
        await rig.settle(timeout=2)
        assert time.monotonic() - began < 1
        assert rig.job() is not None and rig.job().phase == "ready"

    run(scenario())


def test_network_back_resumes_a_download_that_gave_up() -> None:
    """GIVE_UP pauses "until the user or the network": the network's return should resume it."""

    async def scenario() -> None:
        rig = Rig()
        for _ in range(GIVE_UP):
            rig.files.drop_after(URL, 0)
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "paused"
        rig.downloader.network_back()
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "ready"

    run(scenario())


def test_pause_while_waiting_to_retry_shows_paused() -> None:
    """Pause is offered during "waiting"; pressing it must end in "paused", not a stale "waiting"."""

    async def scenario() -> None:
        rig = Rig(delay_scale=0.05)  # the first retry waits 0.05 s
        rig.files.drop_after(URL, 1500)
        rig.when(lambda d: d.phase == "waiting", lambda: rig.downloader.pause("g"))
        rig.downloader.start("g")
        await rig.settle()
        assert rig.plans() == {"g": {"paused": True, "switch": False}}
        assert len(rig.files.fetches) == 1 and len(rig.files.bytes_of("g")) == 1000
        job = rig.job()
        assert job is not None and job.phase == "paused", job

    run(scenario())


def test_a_failed_download_is_not_restarted_at_the_next_boot() -> None:
    """After a checksum failure the user decides ("Try again"); a reload must not fetch it all again."""

    async def scenario() -> None:
        rig = Rig()
        rig.files.corrupt(URL)
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "failed"
        reloaded = Rig(kv=rig.kv)  # a new page over the same localStorage
        await reloaded.downloader.restore()
        await reloaded.settle()
        assert reloaded.files.fetches == []

    run(scenario())


# --- import from a file ----------------------------------------------------------------------


def task_file(payload: int = 3000) -> bytes:
    """A web .task: a 4-byte header, then a zip bundle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("TF_LITE_PREFILL_DECODE", random.Random(3).randbytes(payload))
        bundle.writestr("METADATA", b"gemma")
    return b"\0\0\0\0" + buffer.getvalue()


def choice(name: str, data: bytes) -> FileChoice:
    """What browser/opfs.py gives: a head as long as format.read_head would read (at most)."""
    return FileChoice(name, len(data), data[: modelformat.MAX_PREFIX], data[-modelformat.TAIL_BYTES :], data)


def test_import_a_good_task_file_makes_it_ready_and_pinned() -> None:
    async def scenario() -> None:
        blob = task_file()
        rig = Rig()
        await rig.downloader.import_file(choice("gemma3-1b-it-int4-web.task", blob))
        await rig.settle()
        mid = "file-gemma3-1b-it-int4-web"
        assert rig.store.state.models_notice == ""
        assert rig.files.imports == [mid] and rig.files.bytes_of(mid) == blob
        assert rig.store.state.ready == frozenset({mid})
        assert rig.job(mid) is not None and rig.job(mid).phase == "ready"
        sha = hashlib.sha256(blob).hexdigest()
        assert json.loads(rig.files.meta[mid]) == {"id": mid, "sha256": sha, "bytes": len(blob)}
        record = next(m for m in rig.store.state.catalog if m.id == mid)
        assert (record.sha256, record.bytes, record.source, record.url) == (sha, len(blob), "imported", "")
        assert [spec.id for spec, _ in rig.readied] == [mid] and rig.readied[0][0].sha256 == sha
        assert rig.files.fetches == []

    run(scenario())


NOT_MODELS = [
    ("truncated.task", task_file()[:-200], modelformat.TRUNCATED),
    ("cut-in-the-middle.task", task_file(80_000)[:40_000], modelformat.TRUNCATED),
    ("notes.task", b"These are my notes, not a model.\n" * 100, modelformat.NOT_A_MODEL),
    ("noise.task", b"\x01\x02\x03\x04" + random.Random(5).randbytes(5000), modelformat.NOT_A_MODEL),
    ("tiny.task", task_file(10)[:1000], modelformat.NOT_A_MODEL),
]


@pytest.mark.parametrize(("name", "data", "message"), NOT_MODELS, ids=[case[0] for case in NOT_MODELS])
def test_import_refuses_files_that_are_not_whole_models(name: str, data: bytes, message: str) -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.downloader.import_file(choice(name, data))
        await rig.settle()
        assert rig.store.state.models_notice == message
        assert rig.files.models == {} and rig.files.imports == []
        assert rig.store.state.downloads == () and rig.store.state.ready == frozenset()
        assert rig.pins == [] and rig.readied == []

    run(scenario())


def test_import_that_does_not_fit_fails_before_copying() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.capacity = 100
        blob = task_file()
        await rig.downloader.import_file(choice("gemma3-web.task", blob))
        job = rig.job("file-gemma3-web")
        assert job is not None and job.phase == "failed" and job.message.startswith("Not enough storage")
        assert rig.files.imports == [] and rig.files.models == {}

    run(scenario())


# --- the fake itself follows model_bytes.js -------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "total", "kept"),
    [
        ([1000, 1000, 1000], None, 3000),
        ([1000, 1000, 500], None, 2000),  # a short last chunk of unknown total is a leftover
        ([1000, 1000, 500], 2500, 2500),  # ... unless it completes the file
        ([1000, 1000, 500], 4000, 2000),
        ([1000, 400, 1000], 2400, 1000),  # a short chunk mid-file goes, and all after it
        ([], 5, 0),
    ],
)
def test_fake_prepare_counts_whole_chunks_like_the_js(sizes: list[int], total: int | None, kept: int) -> None:
    files = FakeModelStore()
    files.models["m"] = {i: bytes(size) for i, size in enumerate(sizes)}
    assert run(files.prepare("m", 1000, total)) == kept
    assert sum(len(c) for c in files.models["m"].values()) == kept


def test_a_window_that_does_not_run_the_downloads_leaves_them_to_the_one_that_does() -> None:
    """Two windows: the second lists the unfinished download but fetches nothing; the first,
    when another window takes over, stops its transfer and keeps the plan for the new owner."""

    async def scenario() -> None:
        plan = {"g": {"paused": False, "switch": False}}
        other = Rig(kv=FakeKeyValueStore({Plans.KEY: json.dumps(plan)}))
        partial(other.files, 2000)
        await other.downloader.restore(resume=False)
        await other.settle()
        job = other.job()
        assert other.files.fetches == [] and job is not None and job.phase == "paused"
        assert job.message == "Downloading in another Tabula window." and other.plans() == plan

        owner = Rig(delay_scale=0)
        owner.when(lambda d: d.phase == "downloading" and d.done >= 1000, owner.downloader.suspend)
        owner.downloader.start("g")
        await owner.settle()
        assert owner.plans() == plan and owner.readied == []  # left for the window that took over
        assert len(owner.files.bytes_of("g")) < len(DATA)

    run(scenario())


# --- a download must be a model ------------------------------------------------------------

PORTAL = b"<!doctype html><html><body>Sign in to SchoolWiFi to continue.</body></html>" * 40


def test_a_captive_portals_html_page_is_refused_at_once_and_nothing_is_kept() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.serve(URL, PORTAL, content_type="text/html; charset=utf-8")
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed"
        assert job.message.startswith("models.example answered with a web page, not a model file")
        assert "g" not in rig.files.models and rig.files.used == 0
        assert len(rig.files.fetches) == 1 and rig.readied == [] and rig.plans() == {}

    run(scenario())


def test_a_first_chunk_that_is_not_a_model_stops_the_download() -> None:
    """No hash known (a custom address) and the server says octet-stream: the bytes must still
    look like a model before the download goes on, and nothing of them is kept or pinned."""

    async def scenario() -> None:
        spec = custom("https://host.example/files/my-gemma3.task")
        rig = Rig(spec)
        rig.files.serve(spec.url, random.Random(1).randbytes(4500))
        rig.downloader.start(spec.id)
        await rig.settle()
        job = rig.job(spec.id)
        assert job is not None and job.phase == "failed"
        assert job.message == (
            "What host.example sent is not a model file the app can use, so it was deleted. "
            "Check the address (it must be the file itself, not a page about it)."
        )
        assert spec.id not in rig.files.models and rig.pins == [] and rig.readied == []
        assert rig.files.fetches == [(spec.id, spec.url, 0)]

    run(scenario())


def test_storage_filling_up_mid_download_pauses_and_keeps_what_is_stored() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.when(
            lambda d: d.phase == "downloading" and d.done >= 2000,
            lambda: setattr(rig.files, "capacity", 2500),
        )
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and (job.phase, job.done, job.total) == ("paused", 2000, len(DATA))
        assert job.message == (
            f"Storage is full. Free {size_text(len(DATA) - 2000 + MARGIN)} on this device, then press "
            f"Resume: the {size_text(2000)} downloaded so far are kept."
        )
        assert rig.files.bytes_of("g") == DATA[:2000]
        assert rig.plans() == {"g": {"paused": True, "switch": False}}
        rig.files.capacity = None
        rig.downloader.start("g")
        await rig.settle()
        assert [start for _, _, start in rig.files.fetches] == [0, 2000]
        assert rig.job() is not None and rig.job().phase == "ready" and rig.files.bytes_of("g") == DATA

    run(scenario())


# --- resume that cannot splice two files ------------------------------------------------------

NEW = b"\x1c\0\0\0TFL3" + random.Random(8).randbytes(4792)  # the file as replaced upstream


def test_a_file_changed_between_two_resumes_starts_over_and_says_so() -> None:
    async def scenario() -> None:
        spec = custom("https://host.example/files/my-gemma3.task")
        rig = Rig(spec)
        rig.files.serve(spec.url, DATA)
        rig.files.drop_after(spec.url, 2500)
        rig.when(lambda d: d.phase == "waiting", lambda: rig.files.replace(spec.url, NEW))
        rig.downloader.start(spec.id)
        await rig.settle()
        assert rig.files.bytes_of(spec.id) == NEW  # never DATA[:2000] + NEW[2000:]
        assert [start for _, _, start in rig.files.fetches] == [0, 2000, 0]
        said = [d.message for d in rig.phases if d.phase == "downloading"]
        assert "The file on the server changed since the download began, so it starts again." in said
        assert rig.job(spec.id) is not None and rig.job(spec.id).phase == "ready"
        assert [(p.sha256, p.bytes) for p in rig.pins] == [(hashlib.sha256(NEW).hexdigest(), len(NEW))]

    run(scenario())


def test_a_server_that_ignores_range_keeps_every_stored_chunk() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.ignore_range(URL)
        rig.files.drop_after(URL, 2500)
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "ready" and rig.files.bytes_of("g") == DATA
        assert [index for _, index in rig.files.writes] == [0, 1, 2, 3, 4]  # no chunk written twice

    run(scenario())


def test_a_206_from_the_wrong_offset_is_refused_and_the_stored_chunks_stay() -> None:
    async def scenario() -> None:
        rig = Rig()
        rig.files.misrange(URL)
        rig.files.drop_after(URL, 2500)
        rig.downloader.start("g")
        await rig.settle()
        job = rig.job()
        assert job is not None and job.phase == "failed"
        assert (
            job.message
            == "models.example sent another part of the file than the one asked for, so none of it was kept. Try again later."
        )
        assert rig.files.bytes_of("g") == DATA[:2000]

    run(scenario())


# --- Pause and Delete are obeyed at any moment -----------------------------------------------


def test_pause_pressed_while_the_stored_chunks_are_checked_is_obeyed() -> None:
    async def scenario() -> None:
        kv = FakeKeyValueStore({Plans.KEY: json.dumps({"g": {"paused": True, "switch": False}})})
        rig = Rig(kv=kv)
        partial(rig.files, 2000)
        rig.downloader.start("g")  # Resume
        rig.files.hooks["prepare"] = lambda: rig.downloader.pause("g")
        await rig.settle()
        assert rig.files.fetches == []  # nothing fetched after the press
        job = rig.job()
        assert job is not None and (job.phase, job.done) == ("paused", 2000)
        assert rig.plans() == {"g": {"paused": True, "switch": False}}
        assert rig.files.bytes_of("g") == DATA[:2000]

    run(scenario())


@pytest.mark.parametrize("moment", ["stored", "prepare", "fetch", "digest", "commit"])
def test_delete_pressed_at_any_moment_is_never_undone(moment: str) -> None:
    """A deleted model is never downloaded again, marked ready, or switched to."""

    async def scenario() -> None:
        rig = Rig()
        partial(rig.files, 2000)
        rig.files.hooks[moment] = lambda: rig.downloader.delete("g")
        rig.downloader.start("g", switch=True)
        await rig.settle()
        assert "g" not in rig.files.models and "g" not in rig.files.meta
        assert rig.readied == [] and rig.store.state.ready == frozenset()
        assert rig.job() is None and rig.plans() == {}

    run(scenario())


def test_resume_pressed_while_a_paused_download_winds_down_runs_after_it() -> None:
    """Pause then Resume in quick succession: one transfer at a time, ending ready."""

    async def scenario() -> None:
        rig = Rig()
        rig.when(
            lambda d: d.phase == "downloading" and d.done >= 2000,
            lambda: (rig.downloader.pause("g"), rig.downloader.start("g")),
        )
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "ready", rig.job()
        assert rig.files.bytes_of("g") == DATA and len(rig.readied) == 1

    run(scenario())


# --- the Hub says what a file must be ---------------------------------------------------------

HUB_URL = "https://huggingface.co/litert-community/test/resolve/main/gemma3-test.task"
HUB_API = "https://huggingface.co/api/models/litert-community/test/revision/main?blobs=true"


def hub_answer(sha: str, size: int) -> str:
    sibling = {"rfilename": "gemma3-test.task", "size": size, "lfs": {"sha256": sha, "size": size}}
    return json.dumps({"id": "litert-community/test", "siblings": [{"rfilename": "README.md"}, sibling]})


def hub_rig(spec: ModelSpec, answers: dict[str, str | None]) -> Rig:
    rig = Rig(spec)
    rig.asked: list[str] = []

    async def ask(url: str) -> str | None:
        rig.asked.append(url)
        await asyncio.sleep(0)
        return answers.get(url)

    rig.downloader.hub = ask
    rig.files.serve(spec.url, DATA)
    return rig


def test_wrong_bytes_of_a_hub_file_with_no_hash_in_the_catalogue_are_refused() -> None:
    async def scenario() -> None:
        spec = ModelSpec("h", "Hub model", "gemma3", HUB_URL, 4000, "", "catalogue")
        rig = hub_rig(spec, {HUB_API: hub_answer(SHA, len(DATA))})
        rig.files.corrupt(HUB_URL)
        rig.downloader.start("h")
        await rig.settle()
        assert rig.asked == [HUB_API] and rig.files.fetches[0][2] == 0
        job = rig.job("h")
        assert (
            job is not None
            and job.phase == "failed"
            and "does not match the expected checksum" in job.message
        )
        assert rig.pins == [] and rig.readied == [] and "h" not in rig.files.models

    run(scenario())


def test_a_hub_that_disagrees_with_the_catalogue_stops_before_the_first_byte() -> None:
    async def scenario() -> None:
        spec = ModelSpec("h", "Hub model", "gemma3", HUB_URL, len(DATA), SHA, "catalogue")
        rig = hub_rig(spec, {HUB_API: hub_answer("ab" * 32, len(DATA))})
        rig.downloader.start("h")
        await rig.settle()
        job = rig.job("h")
        assert job is not None and job.phase == "failed"
        assert job.message == (
            "huggingface.co and this site's catalogue disagree about this file's checksum, so it "
            "was not downloaded. Ask whoever runs this site to check the catalogue."
        )
        assert rig.files.fetches == []

    run(scenario())


def test_an_unreachable_hub_falls_back_to_the_catalogues_facts() -> None:
    async def scenario() -> None:
        spec = ModelSpec("h", "Hub model", "gemma3", HUB_URL, len(DATA), SHA, "catalogue")
        rig = hub_rig(spec, {})
        rig.downloader.start("h")
        await rig.settle()
        assert rig.asked == [HUB_API]
        assert rig.job("h") is not None and rig.job("h").phase == "ready" and rig.files.bytes_of("h") == DATA

    run(scenario())


def test_every_wait_says_what_it_waits_for() -> None:
    """Before the first byte arrives the card says whom it is waiting for, never a bare 0 KB."""

    async def scenario() -> None:
        rig = Rig()
        rig.downloader.start("g")
        await rig.settle()
        silent = [d for d in rig.phases if d.active and d.done == 0 and not d.message]
        assert silent == []
        assert any(d.message == "Connecting to models.example…" for d in rig.phases)

    run(scenario())


def test_a_failed_re_import_over_an_imported_model_is_shown_truthfully() -> None:
    """The old copy is removed before the new one is copied: when the copy fails, the Models
    page must not keep saying the model is on this device."""

    async def scenario() -> None:
        blob = task_file()
        rig = Rig()
        await rig.downloader.import_file(choice("gemma3-web.task", blob))
        mid = "file-gemma3-web"
        assert mid in rig.store.state.ready
        # Room when asked; then photos take it while the old copy is being removed.
        rig.files.hooks["remove"] = lambda: setattr(rig.files, "capacity", 1500)
        await rig.downloader.import_file(choice("gemma3-web.task", blob))
        await rig.settle()
        assert rig.files.meta.get(mid) is None and mid not in rig.store.state.ready
        job = rig.job(mid)
        assert job is not None and job.phase == "failed"

    run(scenario())


GGUF = small_model()  # a whole GGUF layout, 52 chunks


def test_a_gguf_file_downloads_and_imports_like_a_task_file() -> None:
    """A custom address of a .gguf (no hash known): its first chunk passes the model check, the
    whole file is stored in chunks and pinned; an imported .gguf is kept the same way."""

    async def scenario() -> None:
        spec = custom("https://host.example/files/gemma-3-270m-Q4_K_M.gguf")
        rig = Rig(spec)
        rig.files.serve(spec.url, GGUF)
        rig.downloader.start(spec.id)
        await rig.settle()
        assert rig.job(spec.id) is not None and rig.job(spec.id).phase == "ready"
        assert rig.files.bytes_of(spec.id) == GGUF and spec.id in rig.store.state.ready
        assert rig.pins[-1].sha256 == hashlib.sha256(GGUF).hexdigest() and rig.pins[-1].runtime == "cpu"
        await rig.downloader.import_file(choice("my-model.gguf", GGUF))
        await rig.settle()
        assert rig.store.state.models_notice == "" and rig.files.bytes_of("file-my-model") == GGUF
        assert next(m for m in rig.store.state.catalog if m.id == "file-my-model").runtime == "cpu"

    run(scenario())


BAD_GGUFS = [
    ("noise after the magic", b"GGUF" + random.Random(2).randbytes(4500)),
    ("no tensors", b"GGUF" + struct.pack("<IQQ", 3, 0, 37) + bytes(4476)),
]


@pytest.mark.parametrize(("name", "data"), BAD_GGUFS, ids=[case[0] for case in BAD_GGUFS])
def test_a_damaged_gguf_is_refused_on_download_and_import_and_nothing_is_kept(name: str, data: bytes) -> None:
    async def scenario() -> None:
        spec = custom("https://host.example/files/broken.gguf")
        rig = Rig(spec)
        rig.files.serve(spec.url, data)
        rig.downloader.start(spec.id)
        await rig.settle()
        assert rig.job(spec.id) is not None and rig.job(spec.id).phase == "failed"
        assert "is not a model file the app can use" in rig.job(spec.id).message
        await rig.downloader.import_file(choice("broken.gguf", data))
        await rig.settle()
        assert rig.store.state.models_notice == modelformat.NOT_A_MODEL
        assert rig.files.models == {} and rig.files.imports == [] and rig.pins == [] and rig.readied == []

    run(scenario())


def test_a_download_that_gave_up_is_not_restarted_by_a_window_that_no_longer_runs_downloads() -> None:
    """Two windows: a download gave up for lack of network in the first; another window takes the
    downloads over; when the network returns, the first fetches nothing (the new owner resumes it)."""

    async def scenario() -> None:
        rig = Rig()
        for _ in range(GIVE_UP):
            rig.files.drop_after(URL, 0)
        rig.downloader.start("g")
        await rig.settle()
        assert rig.job() is not None and rig.job().phase == "paused"
        fetched = len(rig.files.fetches)
        rig.downloader.suspend()  # another window took over
        rig.downloader.network_back()
        await rig.settle()
        assert len(rig.files.fetches) == fetched and rig.readied == []
        assert rig.plans() == {"g": {"paused": False, "switch": False}}  # left for the new owner
        assert rig.job().message == "Downloading in another Tabula window."

    run(scenario())
