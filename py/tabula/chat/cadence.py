"""How often a streaming answer is painted: often enough to read as it comes, rarely enough that
painting never takes more than a small share of the main thread, which also drives the engine
(MediaPipe's GPU work is queued from there: a paint that blocks it for a few milliseconds idles
the GPU meanwhile; bench/decode.py, bench/RESULTS.md). Pure; imports nothing of the app."""

from __future__ import annotations

FASTEST_MS = 50.0  # 20 paints a second: faster than anyone reads
SLOWEST_MS = 200.0  # 5 a second: still reads as a stream on a slow tablet
SHARE = 0.025  # of the main thread, at most, for painting


def interval(paint_ms: float) -> float:
    """Milliseconds from one paint to the next, after a paint that took `paint_ms`."""
    return min(SLOWEST_MS, max(FASTEST_MS, paint_ms / SHARE))
