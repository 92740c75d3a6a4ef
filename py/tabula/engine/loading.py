"""Engine creation that discovers a model's token limit. Pure over an async `create`.

A .task model's KV cache fixes the most tokens it accepts; MediaPipe refuses a larger
`maxTokens` at load ("... larger than the maximum cache size supported: 1024 > 256"). Ask for
what the user set; on that refusal retry with the size the error states (or half, if it states
none) and report the limit that worked. Catalogue records that know the limit avoid the retry.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from tabula.engine.errors import EngineError, Problem
from tabula.engine.ports import Engine
from tabula.prefs.generation import MIN_TOKENS

LIMIT = re.compile(r"maximum cache size supported: \d+ > (\d+)")

Create = Callable[[dict[str, float | int]], Awaitable[Engine]]


async def create_fitting(
    create: Create, options: dict[str, float | int], on_limit: Callable[[int], None]
) -> Engine:
    """An engine with the largest maxTokens <= options' that the model accepts."""
    tokens = int(options["maxTokens"])
    while True:
        try:
            engine = await create({**options, "maxTokens": tokens})
        except EngineError as error:
            if error.problem is not Problem.CONTEXT_TOO_LARGE:
                raise
            smaller = stated_limit(error.detail) or tokens // 2
            if smaller < MIN_TOKENS or smaller >= tokens:
                raise
            tokens = smaller
            continue
        if tokens < int(options["maxTokens"]):
            on_limit(tokens)
        return engine


def stated_limit(detail: str) -> int | None:
    """The cache size a 'larger than the maximum cache size' error names, if any."""
    match = LIMIT.search(detail)
    return int(match.group(1)) if match else None
