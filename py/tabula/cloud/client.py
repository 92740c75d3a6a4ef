"""Answers from the cloud engine: chat streamed over SSE, structured output in one response.

Pure over the CloudClient port: parses Google's events with cloud.SseParser, drops thought
parts, and turns blocked or malformed responses into CloudError with a message for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from tabula.cloud.ports import CloudCall, CloudClient
from tabula.cloud.wire import CloudError, CloudRequest, SseParser, blocked, finish_reason, text_of
from tabula.i18n.translate import N_, tr

MALFORMED = N_("The cloud service sent an answer Tabula could not read. Try again.")


class Streamed(NamedTuple):
    """A whole streamed answer, and whether the service cut it at its token limit (MAX_TOKENS)."""

    text: str
    cut: bool


def _event(data: str) -> dict:
    try:
        event = json.loads(data)
    except ValueError:
        raise CloudError("server", tr(MALFORMED)) from None
    if not isinstance(event, dict):
        raise CloudError("server", tr(MALFORMED))
    reason = blocked(event)
    if reason:
        raise CloudError("blocked", reason)
    return event


async def stream_answer(
    client: CloudClient, request: CloudRequest, on_text: Callable[[str], None], call: CloudCall | None = None
) -> str:
    """Stream a chat answer; `on_text(all text so far)` after each event; return the whole text
    and whether it was cut at the token limit. `call` cancels this request alone."""
    parser, text, cut = SseParser(), [""], [False]  # the running text, grown by each piece (never re-joined)

    def take(events: list[str]) -> None:
        for data in events:
            event = _event(data)
            cut[0] = cut[0] or finish_reason(event) == "MAX_TOKENS"
            piece = text_of(event)
            if piece:
                text[0] += piece
                on_text(text[0])

    await client.stream(request, lambda chunk: take(parser.feed(chunk)), call or CloudCall())
    take(parser.close())
    return Streamed(text[0], cut[0])


async def ask(client: CloudClient, request: CloudRequest, call: CloudCall | None = None) -> str:
    """One whole answer (generateContent), thoughts dropped; `call` cancels this request alone."""
    return text_of(_event(await client.send(request, call or CloudCall())))
