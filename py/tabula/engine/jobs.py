"""The InferenceQueue's records: what a generation is (Job), its states and timings, the queued
op and the watchdog's activity clock. Pure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tabula.engine.errors import EngineError
from tabula.engine.ports import Engine


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Status(StrEnum):
    NO_MODEL = "no-model"
    LOADING = "loading"
    READY = "ready"
    BUSY = "busy"
    FINISHING = "finishing"
    FAILED = "failed"


# Builds a generation's prompt when its turn comes, with the engine that will run it (its own
# family and tokenizer); raising EngineError fails the job with that error.
PromptBuilder = Callable[[Engine], Awaitable[str]]


@dataclass(eq=False)
class Job:
    """One generation: its prompt (built when its turn comes if `build` is set), streamed text,
    timings and outcome."""

    id: int
    prompt: str
    tag: str
    on_token: Callable[[Job], None]
    done: asyncio.Future
    build: PromptBuilder | None = None
    state: JobState = JobState.PENDING
    text: str = ""
    tokens: int = 0
    error: EngineError | None = None
    engine: str = ""
    started: float | None = None
    first_token: float | None = None
    finished: float | None = None

    @property
    def ttft_ms(self) -> float | None:
        if self.started is None or self.first_token is None:
            return None
        return (self.first_token - self.started) * 1000

    @property
    def tokens_per_s(self) -> float | None:
        """Decode speed: tokens after the first, over the time after the first."""
        if self.first_token is None or self.finished is None or self.tokens < 2:
            return None
        span = self.finished - self.first_token
        return (self.tokens - 1) / span if span > 0 else None


@dataclass(eq=False)
class Op:
    """One engine call waiting in the queue (a generation carries its Job)."""

    run: Callable[[Any], Awaitable[Any]]
    future: asyncio.Future
    job: Job | None = None
    tag: str = ""
    needs_engine: bool = True


@dataclass
class Clock:
    """When the engine last showed activity (the watchdog's reference)."""

    now: Callable[[], float] = time.monotonic
    last_activity: float = field(default=0.0)

    def touch(self) -> None:
        self.last_activity = self.now()
