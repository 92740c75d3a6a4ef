"""The InferenceQueue's records: what a generation is (Job), its states and timings, the queued
op, the watchdog's activity clock and its limits. Pure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tabula.engine.errors import EngineError
from tabula.engine.ports import Engine
from tabula.engine.prompt import ADDED_TOKENS

CUT_SLACK = 2  # tokens short of the budget that still count as spent (a BOS counted or not)


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
    prompt_tokens: int | None = None  # counted by the caller (None: the queue estimates)
    limit: int | None = None  # the engine's maxTokens (prompt + answer), when the caller knows it
    cut: bool = False  # the answer ran to the end of its token budget (it did not finish)
    media: tuple = ()  # the asked message's attachments (media.attachments.Attachment), set by its builder
    exact: bool = False  # a transcription, not a chat answer: decoded greedily where the engine can

    def finish(self, state: JobState, now: float) -> None:
        """End the job in `state` (its `done` future resolves with it)."""
        self.state, self.finished = state, now
        if not self.done.done():
            self.done.set_result(self)

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
    reading: bool = False  # the engine's own word: it is still reading the prompt

    def touch(self) -> None:
        self.last_activity = self.now()


def estimated_tokens(text: str) -> int:
    """A generous guess at a prompt's tokens when the caller did not count them (about 3
    characters a token; real tokenisers give nearer 4 for English and Spanish)."""
    return len(text) // 3 + 1


@dataclass(frozen=True)
class StallLimits:
    """How long an op may show no activity before the watchdog gives its engine up (seconds).

    Before an answer's first token the engine reads the whole prompt, which takes longer the
    longer the prompt: `base` plus `per_token` for each prompt token, at most `cap`. Once tokens
    flow, a gap of `streaming` means it hangs. Other ops (count, load) get `base`. An engine that
    ignores cancel (MediaPipe 0.10.29 on .task models) writes a stopped answer on to its token
    budget: busy, not stuck, but after `finishing` seconds of that (minutes on a slow tablet with
    a large budget) it is given up too, so the next answer waits at most that plus a load.
    """

    base: float = 90.0
    per_token: float = 0.05
    cap: float = 900.0
    streaming: float = 30.0
    finishing: float = 60.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cap", max(self.cap, self.base))
        object.__setattr__(self, "streaming", min(self.streaming, self.base))

    def limit(self, job: Job | None, reading: bool = False) -> float:
        """`reading`: the engine says it is still reading the prompt (it knows; the estimate
        below is a guess of 20 tokens a second), so it gets the cap."""
        if job is None:
            return self.base
        if job.first_token is not None:
            return self.streaming
        if reading:
            return self.cap
        tokens = job.prompt_tokens if job.prompt_tokens is not None else estimated_tokens(job.prompt)
        return min(self.base + self.per_token * tokens, self.cap)

    def exceeded(self, job: Job | None, clock: Clock) -> bool:
        """Whether the watchdog gives the engine up now: silent for longer than `limit` allows,
        or still finishing an answer stopped `finishing` seconds ago."""
        now = clock.now()
        if job is not None and job.state is JobState.STOPPED and now - (job.finished or now) > self.finishing:
            return True
        return now - clock.last_activity > self.limit(job, clock.reading)


def pump(engine: Engine, job: Job, clock: Clock) -> None:
    """Take what `engine` buffered for `job`: its activity is the watchdog's `clock`; its text
    joins the job's while it runs (and `job.on_token` runs once, however many deltas), and is
    dropped once it was stopped (the engine may write on until it sees the cancel)."""
    taken = engine.take()
    clock.last_activity = max(clock.last_activity, clock.now() - taken.quiet_s)
    clock.reading = taken.reading
    if job.state is not JobState.RUNNING or not taken.text:
        return
    if job.first_token is None:
        first = taken.first_s if taken.first_s is not None else 0.0
        job.first_token = max(job.started or 0.0, clock.now() - first)
    job.text += taken.text
    job.on_token(job)


async def generate(engine: Engine, job: Job, clock: Clock) -> Job:
    """Run `job` on `engine`: build its prompt first if it has a builder, generate (its text is
    pulled with `pump`, by whoever shows it and by the watchdog), and record its outcome."""
    job.state, job.started, job.engine = JobState.RUNNING, clock.now(), engine.label
    if job.build is not None:
        job.prompt = await job.build(engine)
        if job.state is not JobState.RUNNING:  # stopped while the prompt was being built
            return job
        job.started = clock.now()
    # Attachments go only to an engine that takes them (a message with one is routed to such a model)
    text = await engine.generate(job.prompt, media=job.media, exact=job.exact)
    pump(engine, job, clock)
    if job.state is JobState.RUNNING:
        job.finished, job.text = clock.now(), text
        job.tokens = await engine.count_tokens(text) if text else 0
        job.cut = await budget_spent(engine, job, engine.generated)
        job.state = JobState.DONE
    return job


async def budget_spent(engine: Engine, job: Job, generated: int | None) -> bool:
    """Whether `job`'s answer ran to the end of its budget (`limit` minus its prompt's tokens):
    an engine stops there without a word (MediaPipe never says why it stopped), so the prompt's
    and the answer's tokens are compared with it: the tokens the engine says it `generated`, else
    the answer counted again from its text, which may come out a few tokens shorter (a little
    slack then). The prompt is counted only when the answer came near the end."""
    if job.limit is None or not job.text:
        return False
    answer = generated if generated is not None else job.tokens
    slack = CUT_SLACK if generated is not None else max(CUT_SLACK, job.limit // 32)
    near = job.limit - slack
    prompt = job.prompt_tokens
    if prompt is None:
        if len(job.prompt.encode()) + ADDED_TOKENS + answer < near:
            return False  # even at a token a byte, the prompt and the answer end well before it
        prompt = await engine.count_tokens(job.prompt)
    return prompt + answer >= near


def swallow(task: asyncio.Future) -> None:
    """Consume the result of an abandoned op so asyncio does not warn about it."""
    if not task.cancelled():
        task.exception()
