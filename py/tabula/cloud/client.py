"""Answers from the cloud engine: chat streamed over SSE, structured output in one response.

Pure over the CloudClient port: parses Google's events with cloud.SseParser, drops thought
parts, and turns blocked or malformed responses into CloudError with a message for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tabula.cloud.ports import CloudCall, CloudClient
from tabula.cloud.wire import CloudError, CloudRequest, SseParser, blocked, text_of
from tabula.i18n.translate import N_, tr

MALFORMED = N_("The cloud service sent an answer Tabula could not read. Try again.")


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
    """Stream a chat answer; `on_text(all text so far)` after each event; return the whole text.
    `call` cancels this request alone."""
    parser, text = SseParser(), [""]  # the running text, grown by each piece (never re-joined)

    def take(events: list[str]) -> None:
        for data in events:
            piece = text_of(_event(data))
            if piece:
                text[0] += piece
                on_text(text[0])

    await client.stream(request, lambda chunk: take(parser.feed(chunk)), call or CloudCall())
    take(parser.close())
    return text[0]


async def ask(client: CloudClient, request: CloudRequest, call: CloudCall | None = None) -> str:
    """One whole answer (generateContent), thoughts dropped; `call` cancels this request alone."""
    return text_of(_event(await client.send(request, call or CloudCall())))
