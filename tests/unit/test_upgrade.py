"""capability.upgrade(): when to offer a bigger model than the one in use."""

from __future__ import annotations

import pytest

from tabula.models.catalog import ModelSpec
from tabula.models.fit import GB, DeviceReport, upgrade


def model(name: str, size: float, url: bool = True, source: str = "catalogue") -> ModelSpec:
    address = f"https://h.example/{name}.task" if url else ""
    return ModelSpec(name, name, "gemma3", address, int(size * GB), "", source)


SMALL, MID, BIG, HUGE = model("small", 0.3), model("mid", 0.6), model("big", 2.0), model("huge", 9.0)
EMBEDDED = model("embedded", 0.3, url=False, source="embedded")
FILE_BIG = model("file-big", 3.0, url=False, source="imported")
LAPTOP = DeviceReport(webgpu=True, f16=True, memory=8 * GB, quota=50 * GB, usage=0)
TABLET = DeviceReport(webgpu=True, f16=True, memory=2 * GB, quota=50 * GB, usage=0)  # fits 0.3 GB only
CATALOG = (EMBEDDED, SMALL, MID, BIG, HUGE, FILE_BIG)


@pytest.mark.parametrize(
    ("report", "current", "have", "offer"),
    [
        (LAPTOP, EMBEDDED, frozenset(), "big"),  # the largest downloadable model that fits
        (LAPTOP, SMALL, frozenset({"small"}), "big"),
        (LAPTOP, SMALL, frozenset({"big"}), None),  # already stored or on its way
        (LAPTOP, BIG, frozenset({"big"}), None),  # already the best
        (LAPTOP, FILE_BIG, frozenset({"file-big"}), None),  # the current one is bigger
        (LAPTOP, HUGE, frozenset(), None),  # bigger still (it does not even fit)
        (TABLET, EMBEDDED, frozenset(), None),  # small is no bigger than what runs now
        (TABLET, MID, frozenset(), None),
        (DeviceReport(), SMALL, frozenset(), None),  # no WebGPU: nothing fits
        (None, SMALL, frozenset(), None),  # not measured yet
        (LAPTOP, None, frozenset(), None),  # nothing in use
    ],
)
def test_upgrade(
    report: DeviceReport | None, current: ModelSpec | None, have: frozenset[str], offer: str | None
) -> None:
    chosen = upgrade(report, CATALOG, current, have)
    assert (chosen.id if chosen else None) == offer


def test_upgrade_never_offers_a_model_that_cannot_be_downloaded() -> None:
    catalog = (SMALL, FILE_BIG)  # the only bigger model is an imported file
    assert upgrade(LAPTOP, catalog, SMALL, frozenset({"small"})) is None
