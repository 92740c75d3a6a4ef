"""Models made of several files (issue 25): downloaded, resumed, verified, paused, deleted,
handed over and imported as one set, against an in-memory store that keeps a set's files as
folders inside the set's (as pwa/js/opfs_chunks.js does), and nothing half-kept."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from pathlib import Path

import pytest

import site_models
from tabula.core.state import State
from tabula.models.catalog import ModelFile, ModelSpec, from_records, part_id, pin_from, to_json
from tabula.models.fit import GB, DeviceReport, assess
from tabula.models.sets import abilities, match
from tabula.models.transfers import PickedFile, Quota, Stored
from tabula.ui.views.models import card
from tests.aio import run
from tests.fakes import FakeModelStore
from tests.unit.test_downloader import Rig

BASE = "https://models.example/org/tiny-set/resolve/abc123"
CONTENT = {
    "config.json": b'{"model_type": "gemma4"}',
    "onnx/model.onnx": random.Random(1).randbytes(1500),
    "onnx/model.onnx_data": random.Random(2).randbytes(4200),
}
FILES = tuple(ModelFile(p, len(d), hashlib.sha256(d).hexdigest()) for p, d in CONTENT.items())
TOTAL = sum(f.bytes for f in FILES)
SET = ModelSpec(
    "tiny-set", "Tiny set", "gemma4", BASE, TOTAL, "", "catalogue",
    files=FILES, format="onnx", inputs=("image", "audio"), revision="abc123",
)  # fmt: skip
DATA_ID = part_id("tiny-set", "onnx/model.onnx_data")


class SetStore(FakeModelStore):
    """FakeModelStore with a set's files as folders inside the set's ("<set>/<file>" ids): the
    set lists as one folder with all their bytes, and removing or aborting the set does its files."""

    def _mine(self, key: str, model_id: str) -> bool:
        return key == model_id or key.startswith(model_id + "/")

    async def stored(self) -> list[Stored]:
        await self._step("stored")
        owners = sorted({key.split("/", 1)[0] for key in self.models})
        return [
            Stored(o, sum(len(self.bytes_of(k)) for k in self.models if self._mine(k, o)), self.meta.get(o))
            for o in owners
        ]

    async def commit(self, model_id: str, meta: str) -> None:
        if not any(self._mine(key, model_id) for key in self.models):
            raise RuntimeError(f"NotFoundError: no folder {model_id}")
        self.meta[model_id] = meta

    async def remove(self, model_id: str) -> None:
        await self._step("remove")
        self.abort(model_id)
        for key in [k for k in self.models if self._mine(k, model_id)]:
            del self.models[key]
        self.meta.pop(model_id, None)

    def abort(self, model_id: str) -> None:
        self._aborted.update(k for k in self._running if self._mine(k, model_id))

    def kept(self, model_id: str = "tiny-set") -> list[str]:
        return sorted(k for k in self.models if self._mine(k, model_id) and self.models[k])


def rig(*catalog: ModelSpec, store: SetStore | None = None, **kwargs) -> Rig:
    made = Rig(*(catalog or (SET,)), **kwargs)
    made.files = made.downloader.files = store or SetStore()
    for path, data in CONTENT.items():
        made.files.serve(f"{BASE}/{path}", data)
    return made


def test_a_set_downloads_file_after_file_with_one_progress_and_its_manifest_last() -> None:
    async def scenario() -> None:
        r = rig()
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.store.state.ready == frozenset({"tiny-set"})
        assert [f[1] for f in r.files.fetches] == [f"{BASE}/{p}" for p in CONTENT]  # in order
        for file in FILES:
            assert r.files.bytes_of(part_id("tiny-set", file.path)) == CONTENT[file.path]
        manifest = json.loads(r.files.meta["tiny-set"])
        assert [(f["path"], f["bytes"], f["sha256"]) for f in manifest["files"]] == [
            (f.path, f.bytes, f.sha256) for f in FILES
        ]
        assert manifest["files"][2]["folder"] == "onnx%2Fmodel.onnx_data" and manifest["bytes"] == TOTAL
        assert {d.model_id for d in r.phases} == {"tiny-set"}  # one card: never a file's own
        done = [d.done for d in r.phases if d.phase == "downloading"]
        assert done == sorted(done) and max(done) == TOTAL
        assert all(d.total == TOTAL for d in r.phases if d.phase != "checking")
        assert r.plans() == {} and r.readied[0][0].id == "tiny-set"

    run(scenario())


def test_a_drop_resumes_the_file_it_was_in_by_range_and_never_fetches_a_done_file_again() -> None:
    async def scenario() -> None:
        r = rig(delay_scale=0.0)
        r.files.drop_after(f"{BASE}/onnx/model.onnx_data", 2500)
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.store.state.ready == frozenset({"tiny-set"})
        data = [start for model, _, start in r.files.fetches if model == DATA_ID]
        assert data == [0, 2000]  # the whole chunks kept, the rest asked with Range
        assert [m for m, _, _ in r.files.fetches].count(part_id("tiny-set", "config.json")) == 1

    run(scenario())


def test_pause_keeps_the_files_done_and_a_reload_resumes_the_set_where_it_was() -> None:
    async def scenario() -> None:
        r = rig()
        r.when(lambda d: d.phase == "downloading" and d.done > 2000, lambda: r.downloader.pause("tiny-set"))
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.job("tiny-set").phase == "paused" and r.plans()["tiny-set"]["paused"]
        assert r.files.kept() and "tiny-set" not in r.files.meta
        before = len(r.files.fetches)
        again = rig(store=r.files, kv=r.kv)
        again.downloader.start("tiny-set")
        await again.settle()
        assert again.store.state.ready == frozenset({"tiny-set"})
        resumed = again.files.fetches[before:]
        assert [m for m, _, _ in resumed] == [DATA_ID] and resumed[0][2] > 0  # by Range, done files skipped
        for file in FILES:
            assert again.files.bytes_of(part_id("tiny-set", file.path)) == CONTENT[file.path]

    run(scenario())


def test_a_file_whose_hash_differs_is_named_and_nothing_of_the_set_is_kept() -> None:
    async def scenario() -> None:
        r = rig()
        r.files.corrupt(f"{BASE}/onnx/model.onnx")
        r.downloader.start("tiny-set")
        await r.settle()
        job = r.job("tiny-set")
        assert job.phase == "failed" and job.message.startswith(
            "onnx/model.onnx is not the file Tiny set needs"
        )
        assert r.files.kept() == [] and r.files.meta == {} and r.store.state.ready == frozenset()
        assert r.plans() == {} and r.readied == []

    run(scenario())


def test_a_web_page_instead_of_a_file_fails_the_whole_set() -> None:
    async def scenario() -> None:
        r = rig()
        r.files.serve(f"{BASE}/onnx/model.onnx_data", b"<html>sign in</html>" * 10, content_type="text/html")
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.job("tiny-set").phase == "failed" and "web page" in r.job("tiny-set").message
        assert r.files.kept() == []

    run(scenario())


def test_the_quota_is_checked_for_the_whole_set_before_a_byte() -> None:
    async def scenario() -> None:
        r = rig()
        r.files.quota = Quota(quota=TOTAL + 10, usage=0, persisted=False)  # less than the set + margin
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.job("tiny-set").phase == "failed" and "Not enough storage" in r.job("tiny-set").message
        assert r.files.fetches == []

    run(scenario())


def test_delete_mid_download_removes_every_file_and_the_set_is_never_ready() -> None:
    async def scenario() -> None:
        r = rig()
        r.when(lambda d: d.phase == "downloading" and d.done > 2000, lambda: r.downloader.delete("tiny-set"))
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.files.kept() == [] and r.files.meta == {} and r.store.state.ready == frozenset()
        assert r.plans() == {}

    run(scenario())


def test_another_window_taking_over_stops_the_set_and_keeps_its_plan() -> None:
    async def scenario() -> None:
        r = rig()
        r.when(lambda d: d.phase == "downloading" and d.done > 2000, r.downloader.suspend)
        r.downloader.start("tiny-set")
        await r.settle()
        assert r.store.state.ready == frozenset() and r.plans()["tiny-set"] == {
            "paused": False,
            "switch": False,
        }
        assert r.files.kept() and r.job("tiny-set").phase == "paused" and r.readied == []

    run(scenario())


def test_the_hub_is_asked_once_and_a_disagreement_names_the_file() -> None:
    async def scenario() -> None:
        asked: list[str] = []
        siblings = [{"rfilename": f"{f.path}", "lfs": {"sha256": f.sha256, "size": f.bytes}} for f in FILES]
        siblings[1]["lfs"]["sha256"] = "0" * 64

        async def hub(url: str) -> str:
            asked.append(url)
            return json.dumps({"siblings": siblings})

        r = rig()
        r.downloader.hub = hub
        r.downloader.start("tiny-set")
        await r.settle()
        assert asked == ["https://models.example/api/models/org/tiny-set/revision/abc123?blobs=true"]
        assert r.job("tiny-set").message.startswith("onnx/model.onnx: ") and r.files.fetches == []

    run(scenario())


def picked(prefix: str = "tiny-set/", **changes: bytes | None) -> list[PickedFile]:
    data = {**CONTENT, **changes}
    return [PickedFile(prefix + p, len(d), d) for p, d in data.items() if d is not None]


def test_a_folder_imports_as_the_set_it_holds() -> None:
    async def scenario() -> None:
        r = rig()
        await r.downloader.import_set([*picked(), PickedFile("tiny-set/README.md", 3, b"hi!")])
        await r.settle()
        assert r.store.state.ready == frozenset({"tiny-set"}) and r.store.state.models_notice == ""
        for file in FILES:
            assert r.files.bytes_of(part_id("tiny-set", file.path)) == CONTENT[file.path]
        assert json.loads(r.files.meta["tiny-set"])["bytes"] == TOTAL

    run(scenario())


def test_files_picked_one_by_one_import_by_their_names() -> None:
    async def scenario() -> None:
        r = rig()
        await r.downloader.import_set(
            [PickedFile(p.rsplit("/", 1)[-1], len(d), d) for p, d in CONTENT.items()]
        )
        assert r.store.state.ready == frozenset({"tiny-set"})

    run(scenario())


def test_a_missing_or_wrong_file_is_named_and_nothing_is_kept() -> None:
    async def scenario() -> None:
        r = rig()
        await r.downloader.import_set(picked(**{"onnx/model.onnx_data": None}))
        said = "The folder has no onnx/model.onnx_data, which Tiny set needs, so nothing was imported."
        assert r.store.state.models_notice == said and r.files.imports == []
        await r.downloader.import_set(picked(**{"config.json": b"{}"}))
        assert r.store.state.models_notice.startswith(
            "config.json in the folder is 2 bytes, but Tiny set needs 24"
        )
        altered = bytearray(CONTENT["onnx/model.onnx_data"])
        altered[7] ^= 1
        await r.downloader.import_set(picked(**{"onnx/model.onnx_data": bytes(altered)}))
        assert r.store.state.models_notice.startswith("onnx/model.onnx_data in the folder is not the file")
        assert r.files.kept() == [] and r.files.meta == {} and r.store.state.ready == frozenset()

    run(scenario())


def test_files_of_no_known_set_say_so() -> None:
    spec, _, why = match((SET,), [PickedFile("photos/cat.jpg", 3, b"")])
    assert spec is None and why.startswith("These files are not a model Tabula knows")


def test_a_set_record_round_trips_and_pins_its_files_from_the_manifest() -> None:
    (back,) = from_records(json.loads(to_json((SET,))))
    assert back == SET
    unpinned = ModelSpec(
        "tiny-set", "Tiny set", "gemma4", BASE, TOTAL, "", "catalogue", files=(ModelFile("a", 3),)
    )
    ready = json.dumps({"files": [{"path": "a", "sha256": "f" * 64}]})
    assert pin_from(unpinned, ready, 3).files == (ModelFile("a", 3, "f" * 64),)
    assert (
        pin_from(SET, json.dumps({"files": [{"path": f.path, "sha256": f.sha256} for f in FILES]}), 0) is None
    )


def test_fit_knows_a_34_gb_set_needs_an_8_gb_device_and_says_why_not() -> None:
    e2b = ModelSpec(
        "e2b", "Gemma 4 E2B", "gemma4", BASE, 3_401_448_652, "", "catalogue", files=FILES, format="onnx"
    )
    gpu = DeviceReport(
        webgpu=True, vendor="nvidia", f16=True, max_buffer=2 * GB, max_storage_binding=GB, cores=8
    )
    small = assess(DeviceReport(**{**gpu.__dict__, "memory": 6 * GB}), e2b)
    assert not small.ok and small.reasons[0].startswith(
        "Needs about 3.9 GB of memory; a browser tab here gets about 3.0 GB"
    )
    big = assess(DeviceReport(**{**gpu.__dict__, "memory": 8 * GB}), e2b)
    assert big.ok and "Transformers.js on the GPU (WebGPU)" in big.reasons[1]
    cpu = assess(DeviceReport(memory=8 * GB, cores=8), e2b)
    assert cpu.ok and "Transformers.js on the CPU (wasm)" in cpu.reasons[1]


def test_the_models_page_shows_one_card_with_the_total_and_what_it_understands() -> None:
    html = card(SET, State(catalog=(SET,)), False)
    assert html.count('class="model-card"') == 1 and "3 files" in html
    assert "Understands: text, photos, voice" in html and abilities(SET) == "text, photos, voice"


def test_a_stored_set_lists_as_one_folder_with_all_its_bytes() -> None:
    async def scenario() -> None:
        r = rig()
        r.downloader.start("tiny-set")
        await r.settle()
        assert await r.files.stored() == [Stored("tiny-set", TOTAL, r.files.meta["tiny-set"])]
        await asyncio.sleep(0)

    run(scenario())


def test_storage_filling_up_in_a_set_pauses_it_and_counts_the_whole_set() -> None:
    """The room to make is what the set still needs (this file's rest and the files after it),
    and what is kept is counted for the set, not the file."""

    async def scenario() -> None:
        big = (
            ModelFile("a.onnx", 1500, hashlib.sha256(bytes(1500)).hexdigest()),
            ModelFile("b.onnx_data", 3_000_000),
        )
        spec = ModelSpec(
            "big", "Big set", "gemma4", BASE, 3_001_500, "", "catalogue", files=big, format="onnx"
        )
        r = rig(spec)
        r.files.serve(f"{BASE}/a.onnx", bytes(1500))
        r.when(lambda d: d.phase == "downloading", lambda: setattr(r.files, "capacity", 1000))
        r.downloader.start("big")
        await r.settle()
        job = r.job("big")
        assert (job.phase, job.done, job.total) == ("paused", 1000, 3_001_500) and r.plans()["big"]["paused"]
        assert job.message.startswith(
            "Storage is full. Free 53 MB on this device"
        )  # 3 MB to go + 50 MB margin
        assert r.files.kept("big") and r.store.state.ready == frozenset()

    run(scenario())


def test_a_reload_mid_set_resumes_it_at_boot_and_another_window_shows_it_paused() -> None:
    async def scenario() -> None:
        r = rig()
        r.when(lambda d: d.phase == "downloading" and d.done > 2000, r.downloader.suspend)  # the tab closes
        r.downloader.start("tiny-set")
        await r.settle()
        kept = sum(len(r.files.bytes_of(k)) for k in r.files.kept())
        elsewhere = rig(store=r.files, kv=r.kv)
        await elsewhere.downloader.restore(resume=False)  # a window that does not run the downloads
        await elsewhere.settle()
        job = elsewhere.job("tiny-set")
        assert (job.phase, job.done, job.total) == ("paused", kept, TOTAL)
        booted = rig(store=r.files, kv=r.kv)
        await booted.downloader.restore()
        await booted.settle()
        assert booted.store.state.ready == frozenset({"tiny-set"}) and booted.plans() == {}

    run(scenario())


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"bytes": TOTAL + 1}, "'bytes' must be the sum of its files' sizes"),
        ({"files": [{"path": "config.json", "bytes": 0}]}, "config.json: 'bytes' must be its exact size"),
        (
            {"url": "https://mirror.example/tiny-set", "files": [{"path": "a.onnx", "bytes": 3}], "bytes": 3},
            "a.onnx: no sha256, and the set's url is not a Hugging Face folder to ask",
        ),
    ],
)
def test_a_set_record_the_app_could_not_prove_stops_the_build(
    tmp_path: Path, change: dict, said: str
) -> None:
    files = [{"path": f.path, "bytes": f.bytes, "sha256": f.sha256} for f in FILES]
    record = {"id": "tiny-set", "label": "Tiny", "family": "gemma4", "url": BASE, "bytes": TOTAL, "sha256": "",
              "files": files, "format": "onnx", **change}  # fmt: skip
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([record]))
    with pytest.raises(site_models.BuildError) as raised:
        site_models.read_catalog(path)
    assert str(raised.value).endswith(said)
