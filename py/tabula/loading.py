"""Engine creation that discovers a model's token limit. Pure over an async `create`.

A .task model's KV cache fixes the most tokens it accepts; MediaPipe refuses a larger
`maxTokens` at load ("larger than the maximum cache size"). Rather than guess, ask for what
the user set and halve until the model accepts it, then report the limit that worked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tabula.errors import EngineError, Problem
from tabula.ports import Engine
from tabula.settings import MIN_TOKENS

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
            if error.problem is not Problem.CONTEXT_TOO_LARGE or tokens // 2 < MIN_TOKENS:
                raise
            tokens //= 2
            continue
        if tokens < int(options["maxTokens"]):
            on_limit(tokens)
        return engine
