"""models/transfers.py's arithmetic: progress, speed, ETA, retry delays, quota and HTTP messages."""

from __future__ import annotations

import pytest

from tabula.models.transfers import (
    MARGIN,
    MB,
    Download,
    Quota,
    RateMeter,
    backoff,
    eta_text,
    http_problem,
    quota_problem,
    size_text,
)


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [
        (0, 100, 0),
        (50, 200, 25),
        (199, 200, 99),
        (200, 200, 100),
        (300, 200, 100),
        (5, None, None),
        (5, 0, None),
    ],
)
def test_download_percent(done: int, total: int | None, percent: int | None) -> None:
    assert Download("m", "downloading", done, total).percent == percent


@pytest.mark.parametrize(
    ("done", "total", "speed", "eta"),
    [
        (0, 1000, 100.0, 10.0),
        (900, 1000, 50.0, 2.0),
        (1200, 1000, 50.0, 0.0),  # never negative
        (0, None, 100.0, None),
        (0, 1000, None, None),
        (0, 1000, 0.0, None),
    ],
)
def test_download_eta(done: int, total: int | None, speed: float | None, eta: float | None) -> None:
    assert Download("m", "downloading", done, total, speed).eta == eta


@pytest.mark.parametrize(
    ("phase", "active"),
    [("checking", True), ("downloading", True), ("waiting", True), ("verifying", True),
     ("paused", False), ("ready", False), ("failed", False)],
)  # fmt: skip
def test_download_active(phase: str, active: bool) -> None:
    assert Download("m", phase).active is active


def test_rate_meter_needs_half_a_second_of_samples() -> None:
    meter = RateMeter()
    assert meter.add(10.0, 0) is None
    assert meter.add(10.2, 1000) is None
    assert meter.add(10.5, 2000) == pytest.approx(4000.0)
    assert meter.add(11.0, 4000) == pytest.approx(4000.0)


def test_rate_meter_forgets_old_samples() -> None:
    meter = RateMeter(window=5.0)
    meter.add(0.0, 0)
    meter.add(1.0, 10_000)  # a fast start
    for t in range(2, 20):
        speed = meter.add(float(t), 10_000 + (t - 1) * 100)  # then 100 B/s
    assert speed == pytest.approx(100.0)


def test_rate_meter_ignores_a_restart_and_can_be_reset() -> None:
    meter = RateMeter()
    meter.add(0.0, 5000)
    assert meter.add(1.0, 0) is None  # fewer bytes than before: a restarted transfer
    meter.reset()
    meter.add(2.0, 0)
    assert meter.add(3.0, 500) == pytest.approx(500.0)


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(0, 1.0), (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (7, 30.0), (50, 30.0)],
)
def test_backoff_doubles_and_caps_at_30(attempt: int, seconds: float) -> None:
    assert backoff(attempt) == seconds


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 MB"), (400 * MB, "400 MB"), (999 * MB, "999 MB"), (1000 * MB, "1.0 GB"), (2_560 * MB, "2.6 GB")],
)
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


def test_quota_free() -> None:
    assert Quota().free is None
    assert Quota(quota=100, usage=30).free == 70
    assert Quota(quota=100).free == 100
    assert Quota(quota=100, usage=130).free == 0


@pytest.mark.parametrize(
    "quota",
    [
        Quota(),
        Quota(quota=None, usage=5),
        Quota(quota=600 * MB, usage=0),
        Quota(quota=2000 * MB, usage=1450 * MB),
    ],
)
def test_quota_problem_none_when_it_fits_or_is_unknown(quota: Quota) -> None:
    assert quota_problem(500 * MB, quota) is None


def test_quota_problem_says_both_numbers() -> None:
    message = quota_problem(500 * MB, Quota(quota=2000 * MB, usage=1460 * MB))
    assert message is not None
    assert "needs 550 MB more" in message and "only 540 MB more" in message
    assert message.startswith("Not enough storage") and "Delete other models" in message
    assert quota_problem(500 * MB, Quota(quota=500 * MB + MARGIN - 1)) is not None
    assert quota_problem(500 * MB, Quota(quota=500 * MB + MARGIN)) is None


def test_quota_problem_in_gigabytes() -> None:
    message = quota_problem(3000 * MB, Quota(quota=2000 * MB, usage=0))
    assert message is not None and "needs 3.0 GB more" in message and "only 2.0 GB more" in message


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, ("HTTP 401", "sign in", "Import from file")),
        (403, ("HTTP 403", "licence")),
        (404, ("not found", "HTTP 404")),
        (416, ("changed during the download",)),
        (500, ("HTTP 500", "Try again later")),
        (503, ("HTTP 503",)),
    ],
)
def test_http_problem(status: int, words: tuple[str, ...]) -> None:
    message = http_problem(status)
    assert all(word in message for word in words), message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0.0, "less than a minute left"),
        (59.9, "less than a minute left"),
        (60.0, "about 1 min left"),
        (89.0, "about 1 min left"),
        (91.0, "about 2 min left"),
        (89 * 60.0, "about 89 min left"),
        (90 * 60.0, "about 1.5 h left"),
        (3 * 3600.0, "about 3.0 h left"),
    ],
)
def test_eta_text(seconds: float | None, text: str) -> None:
    assert eta_text(seconds) == text
