"""Issue #23: the fit rules at 3, 4, 6 and 8 GB with the shipped catalogue. A tablet leaves a tab
about half of the memory it reports, so a 2 GB model on a 4 GB tablet does not fit (it was
recommended and auto-loaded at every start, and a renderer killed by the load crash-looped)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tabula.models.catalog import from_records
from tabula.models.fit import GB, DeviceReport, assess, pick

SHIPPED = from_records(json.loads((Path(__file__).resolve().parents[2] / "pwa" / "catalog.json").read_text()))
E2B = next(m for m in SHIPPED if m.id == "gemma-4-e2b-it-web")


def tablet(memory_gb: int) -> DeviceReport:
    """A tablet with a hardware GPU that has shader-f16 (Adreno, Mali, Apple), plenty of storage."""
    return DeviceReport(
        webgpu=True, vendor="qualcomm", architecture="adreno-7xx", f16=True, max_buffer=2 * GB,
        max_storage_binding=2 * GB, memory=memory_gb * GB, cores=8, quota=64 * GB, usage=0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("memory_gb", "expected"),
    [
        (3, "gemma-3-1b-it-int4-web"),
        (4, "gemma-3-1b-it-int4-web"),
        (6, "gemma-4-e2b-it-web"),
        (8, "gemma-4-e4b-it-web"),
    ],
)
def test_the_recommendation_leaves_the_tab_room(memory_gb: int, expected: str) -> None:
    chosen = pick(tablet(memory_gb), SHIPPED)
    assert chosen.model is not None and chosen.model.id == expected, chosen


def test_a_2_gb_model_on_a_4_gb_tablet_is_refused_with_the_reason() -> None:
    verdict = assess(tablet(4), E2B)
    assert not verdict.ok
    assert verdict.reasons == (
        "Needs about 2.5 GB of memory; a browser tab here gets about 2.0 GB (half of the 4.0 GB this device reports).",
    )
    roomy = assess(tablet(6), E2B)
    assert roomy.ok and roomy.reasons[0] == "Fits in memory (2.5 GB of the 3.0 GB a tab gets here)."
