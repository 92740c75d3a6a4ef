"""InferenceQueue: the ONLY caller of the Engine. Single flight, FIFO, cancel, watchdog.

MediaPipe's LlmInference is exclusive (a second call while busy throws), and in 0.10.29 its
cancel has no effect on .task models, so:
- every engine call (generate, count, load, reload) is an op run one at a time, in order;
- cancelling a pending job removes it; stopping the running job ends it for the user at once
  (no more tokens shown, partial text kept) while the queue waits for the engine to be idle
  before the next op (status FINISHING);
- a watchdog abandons an engine silent for longer than jobs.StallLimits allows (before the
  first token: longer the longer the prompt; mid-answer: `stream_stall_seconds`), or on
  force_reset, and builds a new one from the factory; the next op starts in a `finally`;
- an abandoned engine is closed, or destroyed if it refuses (busy, stuck), before the next one
  loads, so two never hold the GPU's memory at once; `reload()` rebuilds it for new options;
- a generation's text is pulled (`pump`: whoever shows it, once per paint, and the watchdog's
  tick), and the watchdog judges activity by the engine's own clock (Engine.take);
- a stray "busy" error is retried, never shown. Pure asyncio: no browser imports.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from tabula.engine.errors import EngineError, Problem
from tabula.engine.jobs import Clock, Job, JobState, Op, PromptBuilder, StallLimits, Status, generate, pump
from tabula.engine.ports import Engine

EngineFactory = Callable[[], Awaitable[Engine]]
# MediaPipe says "busy" for ~0.5 s after a model loads (it is still working): an op retries
# every 50 ms for 10 s in all, so the first answer starts at most 50 ms after it is free.
BUSY_RETRIES = 200
BUSY_PAUSE_S = 0.05


class InferenceQueue:
    """Serialises every engine call; see the module docstring for the rules."""

    def __init__(
        self,
        factory: EngineFactory | None = None,
        *,
        stall_seconds: float = 90.0,
        stall_per_token_seconds: float = 0.05,
        stall_cap_seconds: float = 900.0,
        stream_stall_seconds: float = 30.0,
        load_timeout: float = 600.0,
        on_status: Callable[[Status, str], None] = lambda status, detail: None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory, self._engine = factory, None
        self._ops: deque[Op] = deque()
        self._wake = asyncio.Event()
        self._reset = asyncio.Event()
        self._lost: EngineError | None = None
        self._current: Op | None = None
        self._worker: asyncio.Task | None = None
        self._clock = Clock(now)
        self._ids = 0
        self.load_timeout, limits = load_timeout, (stall_per_token_seconds, stall_cap_seconds)
        self.stall = StallLimits(stall_seconds, *limits, streaming=stream_stall_seconds)
        self._on_status = on_status
        self.status, self.detail = (Status.READY if factory else Status.NO_MODEL), ""

    # ---- public API -------------------------------------------------------------------

    def use(self, factory: EngineFactory | None) -> None:
        """Switch to a new model (None: no model): the current engine is closed once idle, the
        next op loads."""
        self._enqueue(Op(self._switch_to(factory), self._future(), tag="model", needs_engine=False))

    def submit(
        self, prompt: str | PromptBuilder, on_token: Callable[[Job], None] = lambda job: None, tag: str = "",
        prompt_tokens: int | None = None,
    ) -> Job:  # fmt: skip
        """Queue a generation; `on_token(job)` runs when new text is taken (`pump`, which whoever
        shows it calls once per paint; the watchdog takes it too); await `job.done`. `prompt` is
        the text, or a builder called with the engine when the job's turn comes (one op);
        `prompt_tokens`, if counted, size the first-token watchdog."""
        self._ids += 1
        text, build = (prompt, None) if isinstance(prompt, str) else ("", prompt)
        job = Job(self._ids, text, tag, on_token, self._future(), build, prompt_tokens=prompt_tokens)
        self._enqueue(Op(lambda engine: generate(engine, job, self._clock), job.done, job, tag))
        return job

    def pump(self, job: Job | None) -> None:
        """Take the text the engine buffered for `job`, if it is the one running now."""
        current, engine = self._current, self._engine
        running = job is not None and job.state is JobState.RUNNING
        if running and current is not None and current.job is job and engine is not None:
            pump(engine, job, self._clock)

    def preload(self) -> None:
        """Load the model now (in queue order) so the first answer starts sooner."""
        op = Op(lambda engine: asyncio.sleep(0), self._future(), tag="model")
        op.future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._enqueue(op)

    async def count(self, text: str, tag: str = "") -> int:
        """Tokens in `text`, measured by the engine (queued like everything else)."""
        return await self._call(lambda engine: engine.count_tokens(text), tag)

    def reload(self) -> asyncio.Future:
        """Rebuild the engine from the factory, queued now (before any later answer), so options
        saved since it loaded apply next. The future gives the load's EngineError, if any."""
        drop = Op(lambda _engine: self._abandon_engine(), self._future(), tag="options", needs_engine=False)
        dropped = self._enqueue(drop)
        if self._factory is None:  # no model: nothing to rebuild
            return dropped
        return self._enqueue(Op(lambda engine: asyncio.sleep(0), self._future(), tag="options"))

    def cancel(self, job_id: int) -> bool:
        """Remove a pending job, or stop the running one (partial text kept). False if over."""
        for op in self._ops:
            if op.job is not None and op.job.id == job_id and not op.future.done():
                self._finish(op.job, JobState.CANCELLED)
                return True
        current = self._current
        if current is not None and current.job is not None and current.job.id == job_id:
            return self._stop_running(current.job)
        return False

    def cancel_all(self, tag: str | None = None) -> int:
        """Cancel every pending job (with `tag`, if given) and stop the running one."""
        jobs = [op.job for op in self._ops if op.job is not None and not op.future.done()]
        if self._current is not None and self._current.job is not None:
            jobs.append(self._current.job)
        return sum(self.cancel(job.id) for job in jobs if tag is None or job.tag == tag)

    def force_reset(self) -> None:
        """Abandon the engine (stuck or not) and build a fresh one for the next op."""
        self._lost = None
        self._reset.set()
        self._wake.set()

    def device_lost(self, detail: str) -> None:
        """The GPU device is gone: end the running job, say so, rebuild on the next request."""
        self._lost = EngineError(Problem.DEVICE_LOST, detail)
        self._reset.set()
        self._wake.set()
        self._set_status(Status.FAILED, self._lost.message)

    # ---- the worker -------------------------------------------------------------------

    def _future(self) -> asyncio.Future:
        return asyncio.get_event_loop().create_future()

    def _enqueue(self, op: Op) -> asyncio.Future:
        self._ops.append(op)
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._loop())
        return op.future

    async def _call(self, run: Callable[[Engine], Awaitable[Any]], tag: str) -> Any:
        op = Op(run, self._future(), tag=tag)
        self._enqueue(op)
        return await op.future

    async def _loop(self) -> None:
        while True:
            if self._reset.is_set() and self._current is None:
                await self._abandon_engine()
            if not self._ops:
                self._wake.clear()
                self._set_status(*self._idle_status())
                await self._wake.wait()
                continue
            op = self._ops.popleft()
            if op.future.done():
                continue
            self._current = op
            try:
                await self._execute(op)
            finally:
                self._current = None

    async def _execute(self, op: Op) -> None:
        """Run one op to its end, retrying stray busy errors, under the watchdog."""
        for _attempt in range(BUSY_RETRIES):
            try:
                engine = await self._ready_engine() if op.needs_engine else None
                self._set_status(Status.BUSY)
                result = await self._watched(op, engine)
            except EngineError as error:
                if error.problem is Problem.BUSY:
                    await asyncio.sleep(BUSY_PAUSE_S)
                    continue
                self._fail(op, error)
                return
            except Exception as error:  # a bug must fail one op, never stop the queue
                print(f"Tabula: engine op failed: {error!r}", file=sys.stderr)
                self._fail(op, EngineError(Problem.UNKNOWN, repr(error)))
                return
            if not op.future.done():
                op.future.set_result(result)
            return
        self._fail(op, EngineError(Problem.STALLED, "engine stayed busy"))

    async def _watched(self, op: Op, engine: Engine | None) -> Any:
        """Await the op, abandoning the engine if it stalls or a reset is asked for."""
        task = asyncio.ensure_future(op.run(engine))
        self._clock.touch()
        tick = min(self.stall.streaming / 4, 1.0)
        while not task.done():
            await asyncio.wait({task}, timeout=tick)
            self.pump(op.job)
            stalled = self._clock.now() - self._clock.last_activity > self.stall.limit(op.job)
            if not task.done() and (stalled or self._reset.is_set()):
                task.add_done_callback(_swallow)
                await self._abandon_engine()
                raise self._lost or EngineError(Problem.STALLED, "no activity" if stalled else "reset asked")
        return task.result()

    async def _ready_engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if self._factory is None:
            raise EngineError(Problem.NO_MODEL)
        self._set_status(Status.LOADING)
        try:
            self._engine = await asyncio.wait_for(self._factory(), self.load_timeout)
            self._lost = None
        except TimeoutError:
            error = EngineError(Problem.STALLED, f"model load took over {self.load_timeout:.0f} s")
            self._set_status(Status.FAILED, error.message)
            raise error from None
        except EngineError as error:
            self._set_status(Status.FAILED, error.message)
            raise
        return self._engine

    async def _abandon_engine(self) -> None:
        self._reset.clear()
        if self._lost is not None:
            self._set_status(Status.FAILED, self._lost.message)
        engine, self._engine = self._engine, None
        if engine is None:
            return
        try:
            await asyncio.wait_for(engine.close(), timeout=2)
        except Exception as error:  # a stuck engine may refuse to close: free its memory anyway
            print(f"Tabula: engine refused to close ({error!r}); destroying it")
            engine.destroy()

    def _switch_to(self, factory: EngineFactory | None) -> Callable[[Engine | None], Awaitable[None]]:
        async def switch(_engine: Engine | None) -> None:
            self._factory = factory
            await self._abandon_engine()

        return switch

    # ---- bookkeeping ------------------------------------------------------------------

    def _stop_running(self, job: Job) -> bool:
        if job.state is not JobState.RUNNING:
            return False
        self.pump(job)  # what the engine wrote until now is kept
        self._finish(job, JobState.STOPPED)
        if self._engine is not None:
            self._engine.cancel()
        self._set_status(Status.FINISHING)
        return True

    def _finish(self, job: Job, state: JobState) -> None:
        job.state, job.finished = state, self._clock.now()
        if not job.done.done():
            job.done.set_result(job)

    def _fail(self, op: Op, error: EngineError) -> None:
        if op.job is not None:
            op.job.error = error
            if op.job.state in (JobState.PENDING, JobState.RUNNING):
                self._finish(op.job, JobState.FAILED)
        elif not op.future.done():
            op.future.set_exception(error)

    def _idle_status(self) -> tuple[Status, str]:
        if self._factory is None:
            return Status.NO_MODEL, ""
        if self.status is Status.FAILED and self._engine is None:
            return Status.FAILED, self.detail
        return Status.READY, ""

    def _set_status(self, status: Status, detail: str = "") -> None:
        if (status, detail) != (self.status, self.detail):
            self.status, self.detail = status, detail
            self._on_status(status, detail)


def _swallow(task: asyncio.Task) -> None:
    """Consume the result of an abandoned op so asyncio does not warn about it."""
    if not task.cancelled():
        task.exception()
