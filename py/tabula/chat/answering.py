"""The conversation's effects: send, stop, cancel, regenerate, new chat. Pure over ports.

Each answer is a Message that goes waiting -> streaming -> done | stopped | cancelled | failed.
Tokens go straight to the StreamPainter (one DOM write per frame, only the streaming node);
the Store hears about an answer only when it starts streaming and when it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tabula.chat import usecases
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.chat.ports import StreamPainter
from tabula.cloud.client import stream_answer
from tabula.cloud.ports import CloudClient
from tabula.cloud.wire import CloudError, chat_request
from tabula.core.actions import ChatCleared, MessagePut, MessageRemoved, Store
from tabula.core.decide import Decision, decide_for
from tabula.core.tasks import Tasks
from tabula.engine import prompt
from tabula.engine.errors import EngineError
from tabula.engine.queue import InferenceQueue, Job, JobState
from tabula.i18n.translate import tr

if TYPE_CHECKING:
    from tabula.core.state import State

TAG = "chat"


def reserve_for(max_tokens: int) -> int:
    """Tokens kept free for the answer: a quarter of the context, at least 32."""
    return max(32, max_tokens // 4)


def history(state: State, before: int) -> list[prompt.Turn]:
    """The turns before message `before` that the model should see (answers that have text)."""
    turns = []
    for message in state.messages:
        if message.id >= before:
            break
        if message.role == "user" or (message.text and message.status in ("done", "stopped")):
            turns.append(prompt.Turn(message.role, message.text))
    return turns


def system_for(state: State) -> str:
    """The system prompt for the conversation on screen (a tutoring chat has its own)."""
    conv = state.shelf.get(state.shelf.current)
    return usecases.system_prompt(conv.mode if conv else "", state.settings.system_prompt)


class Chat:
    """Runs the conversation against the InferenceQueue."""

    def __init__(
        self, store: Store, queue: InferenceQueue, painter: StreamPainter,
        cloud: CloudClient | None = None, cloud_base: str = "", tasks: Tasks | None = None,
    ) -> None:  # fmt: skip
        self.store, self.queue, self.painter = store, queue, painter
        self.cloud, self.cloud_base = cloud, cloud_base
        self.in_cloud: set[int] = set()
        self.cloud_text: dict[int, str] = {}  # a cloud answer's text so far, by answer id
        self.on_partial: Callable[[int, str], None] = lambda _id, _text: None  # saves a streaming answer
        self.jobs: dict[int, Job] = {}
        self.withdrawn: set[int] = set()
        self.streaming: set[int] = set()
        self.tasks = tasks or Tasks()  # the app's supervisor (main.py passes the shared one)
        self._ids = 0

    def _next_id(self) -> int:
        self._ids = max([self._ids, *(m.id for m in self.store.state.messages)]) + 1
        return self._ids

    def _message(self, message_id: int) -> Message | None:
        return next((m for m in self.store.state.messages if m.id == message_id), None)

    def _put(self, message: Message) -> None:
        self.store.dispatch(MessagePut(message))

    def send(self, text: str) -> bool:
        """Add the user's message and queue its answer; False for an empty message."""
        text = text.strip()
        if not text:
            return False
        self._put(Message(self._next_id(), "user", text))
        self._ask()
        return True

    def _ask(self) -> None:
        answer = Message(self._next_id(), "model", status="waiting")
        self._put(answer)
        self.tasks.spawn(self._answer(answer.id))

    async def _answer(self, answer_id: int) -> None:
        decision = decide_for(self.store.state, "chat")
        if decision.where == "cloud" and self.cloud is not None:
            return await self._answer_in_cloud(answer_id, decision)
        if decision.where == "unavailable":
            return self._update(
                answer_id, status="failed", engine=decision.badge, error=f"{decision.reason} {decision.fix}"
            )
        await self._answer_here(answer_id, decision.badge)

    async def _answer_in_cloud(self, answer_id: int, decision: Decision) -> None:
        """Stream the answer from the cloud engine; Stop keeps what arrived."""
        state, started = self.store.state, time.monotonic()
        s, turns = state.settings, [(t.role, t.text) for t in history(state, answer_id)]
        request = chat_request(
            self.cloud_base, state.cloud.model, state.cloud.key, turns, system_for(state), s.temperature, s.top_k,
            s.max_tokens, stream=True,
        )  # fmt: skip
        first: list[float] = []
        latest = [""]

        def on_text(text: str) -> None:
            if not first:
                first.append((time.monotonic() - started) * 1000)
                self._update(answer_id, status="streaming")
            latest[0] = self.cloud_text[answer_id] = text
            self.painter.show(answer_id, text)
            self.on_partial(answer_id, text)

        self.in_cloud.add(answer_id)
        status, text, error = "done", "", ""
        try:
            text = await stream_answer(self.cloud, request, on_text)
        except CloudError as failure:
            status, error = ("stopped", "") if failure.kind == "cancelled" else ("failed", failure.message)
            text = latest[0]
        except Exception as bug:  # never leave an answer waiting forever
            status, error, text = "failed", tr("The cloud answer failed: {error}", error=bug), latest[0]
        finally:
            self.in_cloud.discard(answer_id)
            self.cloud_text.pop(answer_id, None)
            self.painter.forget(answer_id)
        ttft = first[0] if first else None
        self._update(answer_id, status=status, text=text, engine=decision.badge, ttft_ms=ttft, error=error)

    async def _answer_here(self, answer_id: int, badge: str) -> None:
        state = self.store.state
        model = state.model
        family = model.family if model else "completion"
        options = state.settings.engine_options(state.model_limit)
        budget = int(options["maxTokens"]) - reserve_for(int(options["maxTokens"]))
        try:
            fitted = await prompt.fit(
                prompt.template_for(family), system_for(state), history(state, answer_id), budget,
                lambda text: self.queue.count(text, tag=TAG),
            )  # fmt: skip
        except EngineError as error:
            return self._update(answer_id, status="failed", error=error.message)
        if answer_id in self.withdrawn:
            return self._update(answer_id, status="cancelled")
        note = (
            tr("{count} older message(s) left out to fit the model's context.", count=fitted.dropped)
            if fitted.dropped
            else ""
        )
        self._update(answer_id, note=note)
        job = self.queue.submit(fitted.prompt, lambda j: self._token(answer_id, j), tag=TAG)
        self.jobs[answer_id] = job
        await self._finished(answer_id, await job.done, badge)

    def _token(self, answer_id: int, job: Job) -> None:
        if answer_id not in self.streaming:
            self.streaming.add(answer_id)
            self._update(answer_id, status="streaming")
        shown = prompt.visible(job.text)
        self.painter.show(answer_id, shown)
        self.on_partial(answer_id, shown)

    async def _finished(self, answer_id: int, job: Job, badge: str) -> None:
        self.jobs.pop(answer_id, None)
        self.streaming.discard(answer_id)
        self.painter.forget(answer_id)
        error = job.error.message if job.error else ""
        self._update(
            answer_id, status=str(job.state), text=prompt.visible(job.text), engine=badge,
            ttft_ms=job.ttft_ms, tokens_per_s=job.tokens_per_s, tokens=job.tokens, error=error,
        )  # fmt: skip

    def _update(self, answer_id: int, **changes: object) -> None:
        message = self._message(answer_id)
        if message is not None and message.status not in FINAL_STATUSES:
            self._put(replace(message, **changes))

    def stop(self) -> None:
        """Stop the answer being written now; its partial text stays."""
        for job in list(self.jobs.values()):
            if job.state is JobState.RUNNING:
                self.queue.cancel(job.id)
        if self.in_cloud and self.cloud is not None:
            self.cloud.cancel()

    def cancel(self, answer_id: int) -> None:
        """Withdraw one waiting answer (or stop it if it is being written)."""
        job = self.jobs.get(answer_id)
        if job is not None:
            self.queue.cancel(job.id)
        elif answer_id in self.in_cloud and self.cloud is not None:
            self.cloud.cancel()
        else:
            self.withdrawn.add(answer_id)
            self._update(answer_id, status="cancelled")

    def regenerate(self) -> None:
        """Ask again for the last answer."""
        messages = self.store.state.messages
        if len(messages) < 2 or messages[-1].role != "model" or messages[-1].status not in FINAL_STATUSES:
            return
        self.store.dispatch(MessageRemoved(messages[-1].id))
        self._ask()

    def abandon(self) -> None:
        """Cancel everything the chat queued or streams (another conversation is opening).

        Unfinished answers end now, keeping what was written, so the conversation left behind
        is saved complete and never spins when it is opened again.
        """
        for message in self.store.state.messages:
            if message.status not in FINAL_STATUSES:
                job = self.jobs.get(message.id)
                text = prompt.visible(job.text) if job is not None else self.cloud_text.get(message.id, "")
                status = "stopped" if text else "cancelled"
                self._put(replace(message, status=status, text=text))
        ids = [m.id for m in self.store.state.messages]
        self.withdrawn.update(ids)
        self._ids = max([self._ids, *ids])  # new answers never reuse a withdrawn id
        self.queue.cancel_all(TAG)
        if self.in_cloud and self.cloud is not None:
            self.cloud.cancel()

    def clear(self) -> None:
        """New chat: cancel everything the chat queued and forget the conversation."""
        self.abandon()
        self.store.dispatch(ChatCleared())
