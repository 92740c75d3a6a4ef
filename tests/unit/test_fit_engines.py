"""Which engine and model a device should use (issue 16): the shipped catalogue against the
devices people have, including this test machine's Chromium (WebGPU on SwiftShader, no f16)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import site_models
from tabula.models.catalog import from_records
from tabula.models.fit import GB, DeviceReport, assess, cpu_threads, pick, upgrade, words_per_second
from tabula.ui.views.models import device

CATALOG = from_records(site_models.read_catalog(Path(__file__).resolve().parents[2] / "pwa" / "catalog.json"))
BY_ID = {m.id: m for m in CATALOG}
GPU_MODELS = [m for m in CATALOG if m.runtime == "gpu"]
CPU_MODELS = [m for m in CATALOG if m.runtime == "cpu"]
ROOM = {"quota": 50 * GB, "usage": 0}
# What this machine's headless Chromium 156 reports (the Models page's device section).
SWIFTSHADER = DeviceReport(
    webgpu=True, vendor="google", architecture="swiftshader", f16=False, max_buffer=2**31,
    max_storage_binding=2**31, memory=8 * GB, cores=2, **ROOM,
)  # fmt: skip
NO_WEBGPU = DeviceReport(memory=4 * GB, cores=8, **ROOM)
LAPTOP = DeviceReport(
    webgpu=True, vendor="nvidia", architecture="ampere", f16=True, max_buffer=4 * GB,
    max_storage_binding=2 * GB, memory=8 * GB, cores=8, **ROOM,
)  # fmt: skip


def test_the_catalogue_ships_cpu_models() -> None:
    assert {m.label for m in CPU_MODELS} >= {"Gemma 3 270M (CPU)", "Gemma 3 1B (CPU)"}


def test_this_machine_is_recommended_a_cpu_model_with_its_expected_speed() -> None:
    """SwiftShader is a software renderer and there is no shader-f16: the 3 GB Gemma 4 E4B is not
    what this device should run; a CPU model answers at a useful speed, and the reason says how fast."""
    chosen = pick(SWIFTSHADER, CATALOG)
    assert chosen.model is not None and chosen.model.runtime == "cpu", chosen
    assert "words a second" in chosen.reason and "CPU" in chosen.reason
    offer = upgrade(SWIFTSHADER, CATALOG, BY_ID["gemma-3-270m-it-q4-0-web"], frozenset())
    assert (offer.id if offer else None) != "gemma-4-e4b-it-web"


def test_a_software_adapter_is_named_and_gpu_models_say_how_slow_they_would_be() -> None:
    verdict = assess(SWIFTSHADER, BY_ID["gemma-4-e4b-it-web"])
    text = " ".join(verdict.reasons)
    assert "software" in text and "words a second" in text


def test_a_fallback_adapter_counts_as_software() -> None:
    fallback = DeviceReport(**{**SWIFTSHADER.__dict__, "vendor": "", "architecture": "", "fallback": True})
    assert fallback.software and pick(fallback, CATALOG).model.runtime == "cpu"
    assert not LAPTOP.software


def test_no_webgpu_recommends_a_cpu_model_and_gpu_models_say_why_they_cannot_run() -> None:
    chosen = pick(NO_WEBGPU, CATALOG)
    assert chosen.model is not None and chosen.model.runtime == "cpu"
    assert "words a second" in chosen.reason
    for model in GPU_MODELS:
        verdict = assess(NO_WEBGPU, model)
        assert not verdict.ok and "WebGPU" in verdict.reasons[0], model.id
    for model in CPU_MODELS:
        assert assess(NO_WEBGPU, model).ok, model.id


def test_buffers_too_small_for_gemma_send_the_device_to_the_cpu() -> None:
    """An iPad-like adapter offering only WebGPU's default limits (128 MiB bindings)."""
    ipad = DeviceReport(
        webgpu=True, vendor="apple", architecture="common-3", f16=True, max_buffer=256 * 2**20,
        max_storage_binding=128 * 2**20, memory=4 * GB, cores=6, **ROOM,
    )  # fmt: skip
    verdict = assess(ipad, BY_ID["gemma-4-e2b-it-web"])
    assert not verdict.ok and "buffer" in verdict.reasons[0]
    assert pick(ipad, CATALOG).model.runtime == "cpu"


def test_a_cpu_model_is_judged_on_memory_and_storage_not_on_webgpu() -> None:
    one_b = BY_ID["gemma-3-1b-it-q4-k-m-gguf"]
    small = DeviceReport(memory=2 * GB, cores=4, **ROOM)
    verdict = assess(small, one_b)
    assert not verdict.ok and "memory" in verdict.reasons[0]
    full = DeviceReport(memory=8 * GB, cores=4, quota=GB, usage=int(0.5 * GB))
    verdict = assess(full, one_b)
    assert not verdict.ok and "storage" in verdict.reasons[0]


def test_a_good_gpu_still_gets_the_big_gemma_and_no_f16_does_not() -> None:
    assert pick(LAPTOP, CATALOG).model.id == "gemma-4-e4b-it-web"
    old_gpu = DeviceReport(**{**LAPTOP.__dict__, "f16": False})
    assert pick(old_gpu, CATALOG).model.id != "gemma-4-e4b-it-web"


def test_cross_origin_isolation_gives_the_cpu_engine_threads() -> None:
    """wllama's own default: half the cores when isolated (SharedArrayBuffer), else one."""
    quad = DeviceReport(cores=4, memory=8 * GB, **ROOM)
    isolated = DeviceReport(cores=4, memory=8 * GB, isolated=True, **ROOM)
    assert cpu_threads(quad) == 1 and cpu_threads(isolated) == 2
    model = CPU_MODELS[0]
    assert words_per_second(isolated, model) > words_per_second(quad, model) > 0


def test_every_cpu_record_states_its_needs_without_webgpu() -> None:
    for model in CPU_MODELS:
        assert model.requirements.startswith("CPU (no WebGPU needed); about "), model.id
        assert model.family == "gemma3" and "Gemma Terms of Use" in model.licence


def test_this_device_says_how_many_threads_the_cpu_engine_gets_and_why() -> None:
    eight = DeviceReport(webgpu=False, cores=8, memory=8 * GB, **ROOM)
    first_visit = device(eight)
    assert "none: this browser has no WebGPU" in first_visit and "CPU cores" in first_visit
    assert "one thread for now" in first_visit and "can use 4" in first_visit
    assert "4 threads: the page is cross-origin isolated" in device(
        replace(eight, isolated=True, controlled=True)
    )
    assert "does not isolate the page" in device(replace(eight, controlled=True))
    assert "a software renderer" in device(SWIFTSHADER)


def test_webkit_isolated_but_without_shared_memory_gets_one_thread_and_its_build_said() -> None:
    """Issue #23: WebKit leaves SharedArrayBuffer undefined even on a cross-origin isolated page,
    and has no wasm Memory64: the device report promised it 2 threads of the main build."""
    ipad = DeviceReport(webgpu=False, cores=4, memory=4 * GB, isolated=True, controlled=True,
                        shared_memory=False, cpu_build="compat", **ROOM)  # fmt: skip
    assert cpu_threads(ipad) == 1
    said = device(ipad)
    assert "one thread: this browser has no shared memory for wasm threads" in said
    assert "the Safari build (no wasm JSPI or Memory64 here: slower)" in said
    assert "the main build" in device(replace(ipad, shared_memory=True, cpu_build="main"))
