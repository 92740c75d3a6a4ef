"""InferenceQueue: the ONLY caller of the Engine. Single flight, FIFO, cancel, watchdog.

An engine is exclusive (MediaPipe's throws when called while busy) and may ignore cancel, so:
- every engine call (generate, count, load, reload) is an op run one at a time, in order;
- cancelling a pending job removes it; stopping the running job ends it for the user at once
  (partial text kept, later text dropped) while the queue waits for the engine to be idle;
- a watchdog abandons an engine silent for longer than jobs.StallLimits allows, reading the
  engine's own activity (Engine.take), a stopped answer's too: an engine finishing a stopped
  answer is busy, not stuck; one that says it is still reading the prompt gets the cap;
- an abandoned engine is closed, or destroyed if it refuses, before the next one loads (never
  two at once); `surrender()` destroys it at once, even mid-answer or mid-load, `use(None)`
  abandons a load in progress at once;
- text is pulled (`pump`: whoever shows it, once per paint, and the watchdog's tick);
- a stray "busy" error is retried, never shown. Pure asyncio: no browser imports.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from tabula.engine import jobs
from tabula.engine.errors import EngineError, Problem
from tabula.engine.jobs import Clock, Job, JobState, Op, PromptBuilder, StallLimits, Status, generate, pump
from tabula.engine.ports import Engine

EngineFactory = Callable[[], Awaitable[Engine]]
# MediaPipe says "busy" for ~0.5 s after a model loads: an op retries every 50 ms for 10 s.
BUSY_RETRIES, BUSY_PAUSE_S = 200, 0.05


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
        stop_finish_seconds: float = 60.0,
        load_timeout: float = 600.0,
        on_status: Callable[[Status, str], None] = lambda status, detail: None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory, self._engine, self._ops = factory, None, deque()
        self._wake, self._reset = asyncio.Event(), asyncio.Event()
        self._lost, self._current = None, None  # EngineError | None, Op | None
        self._loading: asyncio.Future | None = None  # the factory's load while it runs
        self._worker: asyncio.Task | None = None
        self._clock, self._ids = Clock(now), 0
        self.load_timeout, limits = load_timeout, (stall_per_token_seconds, stall_cap_seconds)
        self.stall = StallLimits(stall_seconds, *limits, stream_stall_seconds, stop_finish_seconds)
        self._on_status = on_status
        self.status, self.detail = (Status.READY if factory else Status.NO_MODEL), ""

    def use(self, factory: EngineFactory | None) -> None:
        """Switch to a new model (None: no model): the current engine is closed once idle."""
        if factory is None and self._loading is not None:
            self._loading.cancel()  # put away (deleted) while loading: nothing more is read
        self._enqueue(Op(self._switch_to(factory), self._future(), tag="model", needs_engine=False))

    def submit(
        self, prompt: str | PromptBuilder, on_token: Callable[[Job], None] = lambda job: None, tag: str = "",
        prompt_tokens: int | None = None, exact: bool = False,
    ) -> Job:  # fmt: skip
        """Queue a generation; `on_token(job)` runs when new text is taken (`pump`, which whoever
        shows it calls once per paint; the watchdog takes it too); await `job.done`. `prompt` is
        the text, or a builder called with the engine when the job's turn comes (one op);
        `prompt_tokens`, if counted, size the first-token watchdog; `exact`: a transcription
        (Engine.generate)."""
        self._ids += 1
        text, build = (prompt, None) if isinstance(prompt, str) else ("", prompt)
        job = Job(self._ids, text, tag, on_token, self._future(), build, prompt_tokens=prompt_tokens, exact=exact)
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
        op = Op(lambda engine: engine.count_tokens(text), self._future(), tag=tag)
        return await self._enqueue(op)

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
                op.job.finish(JobState.CANCELLED, self._clock.now())
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

    def surrender(self) -> None:
        """Another window took the engine: at once, the running answer stops (what it wrote is
        kept), queued answers are cancelled, a load in progress is abandoned and the engine is
        destroyed (its worker ended, even mid-answer or mid-load). No model until `use`."""
        self._factory = None
        current = self._current.job if self._current is not None else None
        for job in [op.job for op in self._ops] + [current]:
            if job is not None and job.state is JobState.PENDING:  # queued, or waiting for a load
                job.finish(JobState.CANCELLED, self._clock.now())
        if current is not None:
            self._stop_running(current)
        if self._loading is not None:
            self._loading.cancel()
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.destroy()
        self._wake.set()

    def device_lost(self, detail: str) -> None:
        """The GPU device is gone: end the running job, say so, rebuild on the next request."""
        self._lost = EngineError(Problem.DEVICE_LOST, detail)
        self._reset.set()
        self._wake.set()
        self._set_status(Status.FAILED, self._lost.message)

    def _future(self) -> asyncio.Future:
        return asyncio.get_event_loop().create_future()

    def _enqueue(self, op: Op) -> asyncio.Future:
        self._ops.append(op)
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._loop())
        return op.future

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
            if engine is not None and op.job is not None:  # a stopped job's activity counts too
                pump(engine, op.job, self._clock)
            stalled = self.stall.exceeded(op.job, self._clock)
            if not task.done() and (stalled or self._reset.is_set()):
                task.add_done_callback(jobs.swallow)
                await self._abandon_engine()
                raise self._lost or EngineError(Problem.STALLED, "no activity" if stalled else "reset asked")
        return task.result()

    async def _ready_engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if self._factory is None:
            raise EngineError(Problem.NO_MODEL)
        self._set_status(Status.LOADING)
        self._loading = asyncio.ensure_future(asyncio.wait_for(self._factory(), self.load_timeout))
        try:
            self._engine = await self._loading
            self._lost = None
        except asyncio.CancelledError:  # surrendered or put away mid-load: no engine failure
            if (task := asyncio.current_task()) and task.cancelling():
                raise  # the queue itself is being cancelled
            raise EngineError(Problem.NO_MODEL, "the model was put away mid-load") from None
        except TimeoutError:
            error = EngineError(Problem.STALLED, f"model load took over {self.load_timeout:.0f} s")
            self._set_status(Status.FAILED, error.message)
            raise error from None
        except EngineError as error:
            self._set_status(Status.FAILED, error.message)
            raise
        finally:
            self._loading = None
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

    def _stop_running(self, job: Job) -> bool:
        if job.state is not JobState.RUNNING:
            return False
        self.pump(job)  # what the engine wrote until now is kept
        job.finish(JobState.STOPPED, self._clock.now())
        if self._engine is not None:
            self._engine.cancel()
        self._set_status(Status.FINISHING)
        return True

    def _fail(self, op: Op, error: EngineError) -> None:
        if op.job is not None:  # a job already stopped or cancelled keeps its end
            if op.job.state in (JobState.PENDING, JobState.RUNNING):
                op.job.error = error
                op.job.finish(JobState.FAILED, self._clock.now())
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
