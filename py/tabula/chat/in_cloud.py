"""Chat: one answer streamed from the optional cloud engine. Pure over the cloud port.

What chat/answering.py's cloud branch needs beyond building the request: the stream with its own
cancel, the first token's time, the failures told in a sentence, and whether the service cut the
answer at its token limit (finishReason MAX_TOKENS), so that the answer says so and offers
Continue, as a device answer does (issue #23). A continuation re-sends the conversation with the
cut answer as the model's turn and a request to go on; what comes back joins that answer.
May import: cloud, i18n.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tabula.cloud.client import stream_answer
from tabula.cloud.ports import CloudCall, CloudClient
from tabula.cloud.wire import CloudError, CloudRequest
from tabula.i18n.translate import tr

# What the service is asked after its cut answer (to the model, so not translated: the answer
# goes on in the language it was written in).
GO_ON = "Continue your last answer exactly where it stopped, without repeating any of it."

Turn = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Outcome:
    """How a cloud answer ended: its status, the sentence if it failed, first-token time, cut."""

    status: str
    error: str = ""
    ttft_ms: float | None = None
    cut: bool = False


def continuation(turns: Sequence[Turn], base: str) -> list[Turn]:
    """The turns that ask the service to go on from the answer it cut (`base`)."""
    return [*turns, ("model", base, ()), ("user", GO_ON, ())]


def joined(base: str, more: str) -> str:
    """`base` followed by what the service wrote after it, with a space where it started a new
    word straight after the last one (a cut falls between words far more often than inside one)."""
    if base and more and base[-1].isalnum() and more[0].isalnum():
        return f"{base} {more}"
    return base + more


async def stream(
    client: CloudClient, request: CloudRequest, on_text: Callable[[str], None], call: CloudCall
) -> Outcome:
    """Stream one answer, `on_text(all text so far)` as it grows; never raises for the service's
    failures (they become the Outcome's sentence); Stop (`call.cancel`) ends it as stopped."""
    started, first = time.monotonic(), []

    def seen(text: str) -> None:
        if not first:
            first.append((time.monotonic() - started) * 1000)
        on_text(text)

    try:
        streamed = await stream_answer(client, request, seen, call)
    except CloudError as failure:
        stopped = failure.kind == "cancelled"
        return Outcome("stopped" if stopped else "failed", "" if stopped else failure.message, _first(first))
    except Exception as bug:  # an answer never waits forever; the message says what broke
        return Outcome("failed", tr("The cloud answer failed: {error}", error=bug), _first(first))
    return Outcome("done", "", _first(first), streamed.cut)


def _first(first: list[float]) -> float | None:
    return first[0] if first else None
