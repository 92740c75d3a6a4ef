"""assess()/pick() over a table of devices people really have."""

from __future__ import annotations

import pytest

from tabula.models.catalog import ModelSpec
from tabula.models.fit import GB, DeviceReport, assess, pick


def model(name: str, size: float, source: str = "catalogue") -> ModelSpec:
    return ModelSpec(name, name, "gemma4", f"https://example.org/{name}.task", int(size * GB), "", source)


E2B, E4B, G1B, G270M = model("e2b", 2.0), model("e4b", 3.0), model("g1b", 0.55), model("g270m", 0.3)
CATALOG = (G270M, G1B, E2B, E4B)
GPU = {"webgpu": True, "vendor": "acme", "architecture": "x", "max_buffer": 2 * GB, "max_storage_binding": GB}
DEVICES = {
    "no webgpu": DeviceReport(),
    "4 GB tablet, no f16": DeviceReport(**GPU, f16=False, memory=4 * GB, quota=20 * GB, usage=0),
    "8 GB laptop": DeviceReport(**GPU, f16=True, memory=8 * GB, quota=50 * GB, usage=GB),
    "16 GB desktop": DeviceReport(**GPU, f16=True, memory=16 * GB, quota=100 * GB, usage=0),
    "tiny quota": DeviceReport(**GPU, f16=True, memory=8 * GB, quota=int(0.4 * GB), usage=0),
}


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        ("no webgpu", None),
        ("4 GB tablet, no f16", "e2b"),
        ("8 GB laptop", "e4b"),
        ("16 GB desktop", "e4b"),
        ("tiny quota", "g270m"),
    ],
)
def test_pick_the_largest_model_that_fits(device: str, expected: str | None) -> None:
    chosen = pick(DEVICES[device], CATALOG)
    assert (chosen.model.id if chosen.model else None) == expected
    assert chosen.reason


def test_reasons_are_for_people() -> None:
    assert "no WebGPU" in assess(DEVICES["no webgpu"], G270M).reasons[0]
    tablet = assess(DEVICES["4 GB tablet, no f16"], E4B)
    assert not tablet.ok and "memory" in tablet.reasons[0]
    slow = assess(DEVICES["4 GB tablet, no f16"], G1B)
    assert slow.ok and any("32-bit" in reason for reason in slow.reasons)
    full = assess(DEVICES["tiny quota"], E2B)
    assert not full.ok and "storage" in full.reasons[0]


def test_embedded_models_need_no_storage_and_unknown_memory_is_assumed() -> None:
    embedded = model("tiny", 1.0, source="embedded")
    verdict = assess(DeviceReport(**GPU, f16=True, memory=None, quota=0, usage=0), embedded)
    assert verdict.ok and any("assumed 4 GB" in reason for reason in verdict.reasons)
