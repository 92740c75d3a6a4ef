"""InferenceQueue with a FakeEngine that is exclusive like MediaPipe's LlmInference."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tabula.engine.errors import EngineError, Problem
from tabula.engine.queue import InferenceQueue, Job, JobState, Status
from tests.aio import run
from tests.fakes import FakeEngineFactory


def test_jobs_run_in_order_one_at_a_time() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory)
        jobs = [queue.submit(f"prompt {i}") for i in range(5)]
        done = await asyncio.gather(*(job.done for job in jobs))
        engine = factory.built[0]
        assert engine.prompts == [f"prompt {i}" for i in range(5)]
        assert [job.state for job in done] == [JobState.DONE] * 5
        assert all(job.text == "Hello there, friend." for job in done)
        assert engine.overlaps == 0 and len(factory.built) == 1

    run(scenario())


def test_text_is_pulled_by_whoever_shows_it_and_metrics_count_tokens() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(delay=0.01)
        queue = InferenceQueue(factory)
        seen: list[str] = []
        job = queue.submit("hi", on_token=lambda j: seen.append(j.text))
        while not job.done.done():
            queue.pump(job)  # as the painter does once per paint
            await asyncio.sleep(0.025)
        await job.done
        assert seen[-1] == "Hello there, friend." and all(
            b.startswith(a) for a, b in itertools.pairwise(seen)
        )
        assert 1 < len(seen) < 5  # once per pull with new text, not once per token (5)
        assert job.tokens == 3  # counted by the engine (FakeEngine: words), not callbacks (5)
        assert job.ttft_ms is not None and job.ttft_ms > 0
        assert job.tokens_per_s is not None and job.tokens_per_s > 0
        assert job.engine == "fake"

    run(scenario())


def test_cancel_pending_job_removes_it() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory)
        first, second, third = (queue.submit(p) for p in ("a", "b", "c"))
        assert queue.cancel(second.id) is True
        await asyncio.gather(first.done, third.done)
        assert second.state is JobState.CANCELLED and second.text == ""
        assert factory.built[0].prompts == ["a", "c"]

    run(scenario())


@pytest.mark.parametrize("cancel_works", [False, True])
def test_stop_running_keeps_partial_and_waits_for_idle(cancel_works: bool) -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(
            tokens=[f" t{i}" for i in range(40)], delay=0.005, cancel_works=cancel_works
        )
        statuses: list[Status] = []
        queue = InferenceQueue(factory, on_status=lambda s, d: statuses.append(s))
        shown: list[str] = []
        running = queue.submit("long", on_token=lambda j: shown.append(j.text))
        following = queue.submit("next")
        while len(shown[-1:][0] if shown else "") < len(" t0 t1 t2"):
            queue.pump(running)
            await asyncio.sleep(0.001)
        assert queue.cancel(running.id)
        stopped: Job = await running.done
        partial, count = stopped.text, len(shown)
        assert stopped.state is JobState.STOPPED and partial.startswith(" t0 t1 t2")
        assert Status.FINISHING in statuses
        await following.done
        assert len(shown) == count and stopped.text == partial  # nothing more shown
        assert following.state is JobState.DONE and factory.built[0].overlaps == 0
        assert factory.built[0].cancelled == 1

    run(scenario())


def test_cancel_all_by_tag() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(delay=0.01)
        queue = InferenceQueue(factory)
        chat = [queue.submit(f"c{i}", tag="chat") for i in range(3)]
        other = queue.submit("s", tag="settings")
        await asyncio.sleep(0.005)
        assert queue.cancel_all("chat") == 3
        await asyncio.gather(other.done, *(job.done for job in chat))
        assert chat[0].state is JobState.STOPPED
        assert [job.state for job in chat[1:]] == [JobState.CANCELLED] * 2
        assert other.state is JobState.DONE

    run(scenario())


def test_error_then_next_job_runs() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory)
        await queue.count("warm up")
        factory.built[0].fail_with = EngineError(Problem.PROMPT_TOO_LONG, "OUT_OF_RANGE Input is too long")
        bad, good = queue.submit("x" * 10), queue.submit("fine")
        await asyncio.gather(bad.done, good.done)
        assert bad.state is JobState.FAILED and bad.error is not None
        assert bad.error.problem is Problem.PROMPT_TOO_LONG and "too long" in bad.error.message
        assert good.state is JobState.DONE

    run(scenario())


def test_a_stray_busy_error_is_retried_not_shown() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory)
        await queue.count("load")
        factory.built[0].fail_with = EngineError(Problem.BUSY, "currently loading or processing")
        job = queue.submit("hi")
        await job.done
        assert job.state is JobState.DONE and job.error is None

    run(scenario())


def test_watchdog_replaces_a_stuck_engine() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory, stall_seconds=0.05)
        await queue.count("load")
        factory.built[0].hang = True
        stuck, after = queue.submit("stuck"), queue.submit("after")
        await asyncio.gather(stuck.done, after.done)
        assert stuck.state is JobState.FAILED and stuck.error.problem is Problem.STALLED
        assert after.state is JobState.DONE and len(factory.built) == 2

    run(scenario())


def test_a_gap_mid_answer_is_judged_by_the_shorter_streaming_limit() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(delay=0.001, hang_after=2)
        queue = InferenceQueue(factory, stall_seconds=60, stream_stall_seconds=0.05)
        await queue.count("load")
        stuck = queue.submit("stuck")
        await asyncio.wait_for(stuck.done, timeout=5)  # long before the 60 s first-token limit
        assert stuck.state is JobState.FAILED and stuck.error.problem is Problem.STALLED
        assert stuck.text == "Hello there"  # what arrived is kept
        factory.engine_options["hang_after"] = None  # the next engine is sound
        after = queue.submit("after")
        await after.done
        assert after.state is JobState.DONE and len(factory.built) == 2

    run(scenario())


def test_silence_before_the_first_token_waits_for_the_longer_limit() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(prefill=0.4)  # a long prompt: 0.4 s before the first token
        queue = InferenceQueue(factory, stall_seconds=2.0, stream_stall_seconds=0.1)
        job = queue.submit("slow start")
        await job.done
        assert job.state is JobState.DONE and len(factory.built) == 1

    run(scenario())


async def hung(factory: FakeEngineFactory) -> tuple[InferenceQueue, Job]:
    """A queue whose loaded engine hangs in the middle of a job (that job is returned)."""
    queue = InferenceQueue(factory, stall_seconds=60)
    await queue.count("load")
    factory.built[0].hang = True
    stuck = queue.submit("stuck")
    await asyncio.sleep(0.01)
    return queue, stuck


def test_force_reset_recreates_the_engine() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue, stuck = await hung(factory)
        queue.force_reset()
        await stuck.done
        assert stuck.state is JobState.FAILED
        assert await queue.count("two words") == 2
        assert len(factory.built) == 2

    run(scenario())


def test_load_failure_is_reported_and_retried_on_next_op() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        factory.fail_with = EngineError(Problem.INVALID_MODEL, "bad zip")
        statuses: list[tuple[Status, str]] = []
        queue = InferenceQueue(factory, on_status=lambda s, d: statuses.append((s, d)))
        job = queue.submit("hi")
        await job.done
        assert job.state is JobState.FAILED and job.error.problem is Problem.INVALID_MODEL
        assert (Status.FAILED, job.error.message) in statuses
        factory.fail_with = None
        assert (await queue.submit("again").done).state is JobState.DONE

    run(scenario())


def test_no_model_fails_clearly_and_use_switches_model() -> None:
    async def scenario() -> None:
        queue = InferenceQueue()
        with pytest.raises(EngineError) as caught:
            await queue.count("x")
        assert caught.value.problem is Problem.NO_MODEL
        first, second = FakeEngineFactory(label="one"), FakeEngineFactory(label="two")
        queue.use(first)
        assert (await queue.submit("a").done).engine == "one"
        queue.use(second)
        assert (await queue.submit("b").done).engine == "two"
        assert first.built[0].closed is True

    run(scenario())


def test_reload_waits_for_the_running_answer_then_builds_a_new_engine() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(delay=0.005)
        queue = InferenceQueue(factory)
        job = queue.submit("a")
        await asyncio.sleep(0.001)
        await queue.reload()
        assert job.done.done() and job.state is JobState.DONE  # reload waited for the answer
        assert len(factory.built) == 2 and factory.built[0].closed and factory.live() == 1
        assert factory.built[0].overlaps == 0
        assert (await queue.submit("b").done).text == "Hello there, friend."

    run(scenario())


def test_reload_reports_a_failed_load_and_without_a_model_does_nothing() -> None:
    async def scenario() -> None:
        idle = InferenceQueue()
        await idle.reload()
        assert idle.status is Status.NO_MODEL
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory)
        await queue.count("load")
        factory.fail_with = EngineError(Problem.DEVICE_TOO_SMALL, "out of memory")
        with pytest.raises(EngineError) as caught:
            await queue.reload()
        assert caught.value.problem is Problem.DEVICE_TOO_SMALL and queue.status is Status.FAILED

    run(scenario())


def test_loading_retries_at_the_size_the_error_states() -> None:
    from tabula.engine.loading import create_fitting
    from tests.fakes import FakeEngine

    asked: list[int] = []
    limits: list[int] = []

    async def create(options: dict) -> FakeEngine:
        asked.append(options["maxTokens"])
        if options["maxTokens"] > 256:
            detail = f"Max number of tokens is larger than the maximum cache size supported: {options['maxTokens']} > 256"
            raise EngineError(Problem.CONTEXT_TOO_LARGE, detail)
        return FakeEngine()

    run(create_fitting(create, {"maxTokens": 1024, "topK": 1}, limits.append))
    assert asked == [1024, 256] and limits == [256]


def test_a_load_that_never_finishes_fails_clearly_and_can_be_retried() -> None:
    async def scenario() -> None:
        class HangingOnce(FakeEngineFactory):
            hung = False

            async def __call__(self):
                if not self.hung:
                    self.hung = True
                    await asyncio.Event().wait()
                return await super().__call__()

        factory = HangingOnce()
        statuses: list[tuple[Status, str]] = []
        queue = InferenceQueue(factory, load_timeout=0.05, on_status=lambda s, d: statuses.append((s, d)))
        job = queue.submit("hi")
        await job.done
        assert job.state is JobState.FAILED and job.error.problem is Problem.STALLED
        assert statuses[-1][0] is Status.FAILED and "restarted" in statuses[-1][1]
        assert (await queue.submit("again").done).state is JobState.DONE

    run(scenario())


def test_device_lost_ends_the_answer_says_why_and_rebuilds_on_request() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        statuses: list[tuple[Status, str]] = []
        queue = InferenceQueue(factory, stall_seconds=60, on_status=lambda s, d: statuses.append((s, d)))
        await queue.count("load")
        factory.built[0].hang = True  # a lost device leaves the generation hanging
        job = queue.submit("hi")
        await asyncio.sleep(0.01)
        queue.device_lost("GPU device destroyed")
        await job.done
        assert job.state is JobState.FAILED and job.error.problem is Problem.DEVICE_LOST
        await asyncio.sleep(0.01)
        assert queue.status is Status.FAILED and "graphics device was lost" in queue.detail
        assert (await queue.submit("again").done).state is JobState.DONE
        assert len(factory.built) == 2 and queue.status is Status.READY

    run(scenario())


def test_a_prompt_builder_runs_when_the_jobs_turn_comes_with_the_engine_that_runs_it() -> None:
    """Building and generating are one op: the builder sees the world as it is at its turn (here,
    the first job's finished text), and a failing build fails that job alone."""

    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=["a", "b"], delay=0.005)
        queue = InferenceQueue(factory)
        first = queue.submit("first")
        seen: list[tuple[str, str]] = []

        async def build(engine) -> str:
            seen.append((first.state.value, engine.family))
            return f"after {first.text!r} ({await engine.count_tokens('two words')} tokens)"

        async def broken(_engine) -> str:
            raise EngineError(Problem.PROMPT_TOO_LONG, "too long")

        second, third, fourth = queue.submit(build), queue.submit(broken), queue.submit("fourth")
        for job in (first, second, third, fourth):
            await job.done
        assert seen == [("done", "gemma3")]
        assert factory.built[0].prompts == ["first", "after 'ab' (2 tokens)", "fourth"]
        assert third.state is JobState.FAILED and third.error is not None
        assert third.error.problem is Problem.PROMPT_TOO_LONG
        assert (second.state, fourth.state) == (JobState.DONE, JobState.DONE)
        assert factory.built[0].overlaps == 0

    run(scenario())


def test_an_engine_abandoned_while_stuck_is_destroyed_before_the_next_loads() -> None:
    """A hung engine refuses close() (busy): it is destroyed, so only one holds GPU memory."""

    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(factory, stall_seconds=0.05)
        await queue.count("load")
        factory.built[0].hang = True
        stuck = queue.submit("stuck")
        await stuck.done
        assert stuck.error is not None and stuck.error.problem is Problem.STALLED
        assert (await queue.submit("after").done).text == "Hello there, friend."
        assert factory.built[0].destroyed and factory.live() == 1

    run(scenario())


def test_a_force_reset_and_a_lost_device_free_the_engine_they_abandon() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue, stuck = await hung(factory)
        queue.force_reset()
        await stuck.done
        assert await queue.count("two words") == 2 and factory.live() == 1
        factory.built[1].hang = True
        lost = queue.submit("lost")
        await asyncio.sleep(0.01)
        queue.device_lost("GPU reset")
        await lost.done
        assert lost.error is not None and lost.error.problem is Problem.DEVICE_LOST
        assert await queue.count("two words") == 2
        assert [engine.live for engine in factory.built] == [False, False, True]

    run(scenario())


def test_a_long_prompt_gets_longer_before_its_first_token() -> None:
    """A long document takes the engine a while to read before the first token: not stuck."""

    async def scenario() -> None:
        factory = FakeEngineFactory(prefill_per_word=0.001)  # 600 words: 0.6 s of reading
        queue = InferenceQueue(
            factory, stall_seconds=0.3, stall_per_token_seconds=0.005, stream_stall_seconds=0.1
        )
        document = " ".join(["word"] * 600)
        job = queue.submit(document)
        await job.done
        assert job.state is JobState.DONE and job.text == "Hello there, friend."
        assert len(factory.built) == 1  # never declared stuck, never retried
        counted = queue.submit(document, prompt_tokens=600)  # the caller's count is used as is
        await counted.done
        assert counted.state is JobState.DONE and len(factory.built) == 1

    run(scenario())


def test_the_first_token_allowance_is_capped() -> None:
    """Even a huge prompt is declared stuck once the cap passes with no sign of life."""

    async def scenario() -> None:
        factory = FakeEngineFactory()
        queue = InferenceQueue(
            factory, stall_seconds=0.05, stall_per_token_seconds=10.0, stall_cap_seconds=0.2
        )
        await queue.count("load")
        factory.built[0].hang = True
        stuck = queue.submit("a huge document", prompt_tokens=100_000)
        await asyncio.wait_for(stuck.done, timeout=5)  # long before 100 000 × 10 s
        assert stuck.error is not None and stuck.error.problem is Problem.STALLED

    run(scenario())


def test_stall_limits_grow_with_the_prompt_within_the_cap() -> None:
    from tabula.engine.jobs import Job, StallLimits

    limits = StallLimits(base=90, per_token=0.05, cap=900, streaming=30)
    loop = asyncio.new_event_loop()

    def job(prompt: str, tokens: int | None = None) -> Job:
        return Job(1, prompt, "", lambda j: None, loop.create_future(), prompt_tokens=tokens)

    assert limits.limit(None) == 90  # a count or a load
    assert limits.limit(job("hi", 10)) == 90.5
    assert limits.limit(job("x" * 3000)) == 90 + 0.05 * 1001  # about 3 characters a token
    assert limits.limit(job("hi", 1_000_000)) == 900
    streaming = job("hi", 8000)
    streaming.first_token = 1.0
    assert limits.limit(streaming) == 30
    loop.close()


def test_the_watchdog_reads_activity_from_the_engine_when_nobody_pulls_the_text() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=[f" t{i}" for i in range(12)], delay=0.03)
        queue = InferenceQueue(factory, stall_seconds=0.2, stream_stall_seconds=0.1)
        job = queue.submit("steady")  # nobody shows it: only the watchdog takes the text
        await job.done
        assert job.state is JobState.DONE and len(factory.built) == 1
        assert job.text.endswith(" t11")

    run(scenario())


async def stop_then_send(queue: InferenceQueue) -> tuple[Job, Job]:
    """A long answer, stopped at its first text; the next question sent at once and answered."""
    running = queue.submit("long")
    while not running.text:
        queue.pump(running)
        await asyncio.sleep(0.005)
    assert queue.cancel(running.id)
    following = queue.submit("next")
    await following.done
    return running, following


def test_stop_then_send_keeps_the_engine_while_it_finishes_the_stopped_answer() -> None:
    """Issue #22: after Stop, an engine that ignores cancel keeps writing for longer than the
    streaming stall limit. It is busy, not stuck: the watchdog must go on reading its activity
    (dropping the text), the next answer runs on the same engine, and nothing is reloaded."""

    async def scenario() -> None:
        # 1.2 s of writing against a 0.5 s stall limit: 50 token gaps of margin (a busy test
        # machine once stretched one 10 ms gap past a 0.1 s limit)
        factory = FakeEngineFactory(tokens=[f" t{i}" for i in range(120)], delay=0.01)
        queue = InferenceQueue(factory, stall_seconds=1.0, stream_stall_seconds=0.5)
        running, following = await stop_then_send(queue)
        assert running.state is JobState.STOPPED and " t119" not in running.text
        assert following.state is JobState.DONE and following.error is None
        assert len(factory.built) == 1 and not factory.built[0].destroyed  # no reload

    run(scenario())


def test_an_engine_reading_its_prompt_by_its_own_word_is_given_the_cap() -> None:
    """Issue #22: the first-token watchdog trusts the engine's own report that it is still
    reading the prompt (a long document on a slow tablet), up to the cap; not a guess of
    20 tokens a second."""
    from tabula.engine.jobs import Job, StallLimits

    limits = StallLimits(base=90, per_token=0.05, cap=900, streaming=30)
    loop = asyncio.new_event_loop()
    job = Job(1, "hi", "", lambda j: None, loop.create_future(), prompt_tokens=10)
    assert limits.limit(job) == 90.5
    assert limits.limit(job, reading=True) == 900
    job.first_token = 1.0
    assert limits.limit(job, reading=True) == 30  # once it writes, a gap means it hangs
    loop.close()


def test_surrender_mid_answer_keeps_what_was_written_and_frees_the_engine_at_once() -> None:
    """Issue #22: *Use Tabula here* in another window: this window's engine is ended at once,
    mid-answer, the answer keeps what it wrote, queued answers are cancelled, no model after."""

    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=[f" t{i}" for i in range(200)], delay=0.01)
        queue = InferenceQueue(factory)
        running, queued = queue.submit("long"), queue.submit("queued")
        while len(running.text) < 6:
            queue.pump(running)
            await asyncio.sleep(0.005)
        queue.surrender()
        assert factory.built[0].destroyed  # at once, not when the answer ends
        await asyncio.gather(running.done, queued.done)
        assert running.state is JobState.STOPPED and running.text.startswith(" t0 t1")
        assert queued.state is JobState.CANCELLED and factory.built[0].prompts == ["long"]
        await asyncio.sleep(0.05)
        assert queue.status is Status.NO_MODEL and factory.live() == 0

    run(scenario())


def test_surrender_mid_load_abandons_the_load_and_says_no_model() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(load_seconds=0.2)
        statuses: list[Status] = []
        queue = InferenceQueue(factory, on_status=lambda s, d: statuses.append(s))
        job = queue.submit("asked while loading")
        await asyncio.sleep(0.05)
        assert queue.status is Status.LOADING
        queue.surrender()
        await job.done
        await asyncio.sleep(0.3)
        assert job.state is JobState.CANCELLED and factory.built == []  # the load never finished
        assert queue.status is Status.NO_MODEL and Status.FAILED not in statuses

    run(scenario())


def test_a_stopped_answer_that_runs_on_too_long_is_cut_by_replacing_the_engine() -> None:
    """An engine that ignores cancel and would write a stopped answer on for minutes (a large
    token budget on a slow tablet) is given up after `stop_finish_seconds`: the next answer
    waits that plus a load, not the whole budget, and sees nothing of the stopped one."""

    async def scenario() -> None:
        factory = FakeEngineFactory(tokens=[f" t{i}" for i in range(400)], delay=0.01)
        queue = InferenceQueue(factory, stream_stall_seconds=1.0, stop_finish_seconds=0.3)
        running, following = await stop_then_send(queue)
        assert following.started - running.finished < 1.0  # not the ~4 s the budget would take
        assert following.state is JobState.DONE and following.text == "".join(f" t{i}" for i in range(400))
        assert running.state is JobState.STOPPED and running.error is None
        assert len(factory.built) == 2 and factory.built[0].destroyed and factory.live() == 1

    run(scenario())


def test_putting_the_model_away_mid_load_abandons_the_load_at_once() -> None:
    """Deleting the model in use while it loads: the load ends before its files go (a worker
    still reading them hit "A requested file or directory could not be found" in CI)."""

    async def scenario() -> None:
        factory = FakeEngineFactory(load_seconds=0.3)
        statuses: list[Status] = []
        queue = InferenceQueue(factory, on_status=lambda s, d: statuses.append(s))
        job = queue.submit("asked while loading")
        await asyncio.sleep(0.05)
        queue.use(None)
        await asyncio.sleep(0.01)
        assert factory.abandoned == 1  # at once, not when the load would have finished
        await job.done
        await asyncio.sleep(0.4)
        assert job.error is not None and job.error.problem is Problem.NO_MODEL
        assert factory.built == [] and queue.status is Status.NO_MODEL and Status.FAILED not in statuses

    run(scenario())
