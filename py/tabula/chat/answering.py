"""Chat: the conversation's effects — send, stop, cancel, regenerate, new chat. Pure over ports.

Each answer is a Message that goes waiting -> streaming -> done | stopped | cancelled | failed,
driven by an Answer (chat/lifecycle.py) that belongs to the conversation it was asked in. One
conversation's answers run in order, one at a time, on whichever engine decide_for() picks when
the answer's turn comes. Its prompt, or its cloud request, is built then, from the conversation
as it is at that moment: a follow-up sent while the first answer streams is asked with that
answer. On the device, building (with the running engine's own template and tokenizer) and
generating are one queued op, so a model switch in between cannot apply the old template.
Tokens go straight to the StreamPainter (one DOM write per frame, only the streaming node); the
Store hears about an answer when it starts streaming and when it ends. Leaving a conversation
closes its answers: nothing they receive afterwards reaches another conversation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tabula.chat import in_cloud, multimodal, retrieval, usecases
from tabula.chat.conversations import next_message_id
from tabula.chat.lifecycle import Answer
from tabula.chat.messages import FINAL_STATUSES, Message
from tabula.chat.ports import StreamPainter
from tabula.cloud.ports import CloudCall, CloudClient
from tabula.cloud.wire import chat_request
from tabula.core.actions import ChatCleared, MessagePut, MessageRemoved, Store
from tabula.core.decide import decide_for
from tabula.core.tasks import Tasks
from tabula.engine import prompt
from tabula.engine.ports import Engine
from tabula.engine.queue import InferenceQueue, Job, JobState
from tabula.i18n.translate import tr, tr_n
from tabula.media import capability
from tabula.media.attachments import Attachment
from tabula.media.ports import MediaStore
from tabula.prefs.generation import reserve_for

if TYPE_CHECKING:
    from tabula.core.state import State

TAG = "chat"


def history(messages: Sequence[Message], before: int) -> list[prompt.Turn]:
    """The turns before message `before` that the model should see (answers that have text), each
    with its attachments (the template puts the asked one's placeholders in: engine/prompt.py);
    only the newest question about a document keeps its passages (chat/retrieval.py)."""
    return [prompt.turn(m) for m in retrieval.compacted(seen(messages, before))]


def seen(messages: Sequence[Message], before: int) -> list[Message]:
    """The messages before `before` that the model should see (answers that have text)."""
    return [
        m for m in messages
        if m.id < before and (m.role == "user" or (m.text and m.status in ("done", "stopped")))
    ]  # fmt: skip


def system_for(state: State) -> str:
    """The system prompt for the conversation on screen (a tutoring chat has its own)."""
    conv = state.shelf.get(state.shelf.current)
    return usecases.system_prompt(conv.mode if conv else "", state.settings.system_prompt)


class Chat:
    """Runs the conversation on screen against the InferenceQueue or the cloud engine."""

    def __init__(
        self, store: Store, queue: InferenceQueue, painter: StreamPainter,
        cloud: CloudClient | None = None, cloud_base: str = "", tasks: Tasks | None = None,
    ) -> None:  # fmt: skip
        self.store, self.queue, self.painter = store, queue, painter
        self.cloud, self.cloud_base = cloud, cloud_base
        self.tasks = tasks or Tasks()  # the app's supervisor (main.py passes the shared one)
        self.on_partial: Callable[[int, str], None] = lambda _id, _text: None  # saves a streaming answer
        self.media: MediaStore | None = None  # attachments' bytes, for the cloud (ui/handlers/attachments.py)
        self.answers: dict[int, Answer] = {}  # the unfinished answers of the conversation on screen
        self._turn = asyncio.Lock()  # one answer at a time, in the order they were asked
        self._ids = 0

    def _next_id(self) -> int:
        self._ids = next_message_id(max([self._ids, *(m.id for m in self.store.state.messages)]), time.time())
        return self._ids

    def _message(self, message_id: int) -> Message | None:
        return next((m for m in self.store.state.messages if m.id == message_id), None)

    def _put(self, message: Message) -> None:
        self.store.dispatch(MessagePut(message))

    def send(self, text: str, attachments: tuple[Attachment, ...] = ()) -> bool:
        """Add the user's message (with its photos and audio) and queue its answer; False for an
        empty message."""
        text = text.strip()
        if not text and not attachments:
            return False
        self._put(Message(self._next_id(), "user", text, attachments=tuple(attachments)))
        self._ask()
        return True

    def _ask(self) -> None:
        answer = Answer(self.store.state.shelf.current, self._next_id())
        self.answers[answer.message_id] = answer
        self._put(Message(answer.message_id, "model", status="waiting"))
        self.tasks.spawn(self._run(answer))

    async def _run(self, answer: Answer) -> None:
        """Wait for this answer's turn, then answer where decide_for() says, as things are now."""
        try:
            async with self._turn:
                if answer.closed:
                    return
                answer.state = "running"
                decision, state = decide_for(self.store.state, "chat"), self.store.state
                media = multimodal.asked(state.messages, answer.message_id)
                refused = capability.refusal(decision.where, state.model, state.catalog, state.usable, media)
                if refused is not None:  # never dropped: the answer says which model can take them
                    self._end(answer, status="failed", engine=decision.badge, error=refused.text)
                elif decision.where == "cloud" and self.cloud is not None:
                    await self._in_cloud(answer, decision.badge)
                elif decision.where == "unavailable":
                    error = f"{decision.reason} {decision.fix}"
                    self._end(answer, status="failed", engine=decision.badge, error=error)
                else:
                    await self._here(answer, decision.badge)
        except Exception as bug:  # never leave an answer waiting forever; the supervisor reports it
            self._end(
                answer, status="failed", text=answer.text, error=tr("The answer failed: {error}", error=bug)
            )
            raise
        finally:
            if self.answers.get(answer.message_id) is answer:
                del self.answers[answer.message_id]

    async def _here(self, answer: Answer, badge: str) -> None:
        """On the device: one queued op builds the prompt with the engine that runs it, then
        generates."""
        answer.job = self.queue.submit(
            lambda engine: self._prompt(engine, answer), lambda job: self._token(answer, job), tag=TAG
        )
        self.painter.follow(answer.message_id, lambda: self.queue.pump(answer.job))  # once per paint
        job = await answer.job.done
        before = self._message(answer.message_id)
        status, cut = str(job.state), job.cut
        if answer.base and job.state is JobState.FAILED:
            status, cut = "done", True  # a continuation that failed leaves the answer as it was
        self._end(
            answer, status=status, text=answer.base + prompt.visible(job.text), engine=badge, ttft_ms=job.ttft_ms,
            tokens_per_s=job.tokens_per_s, tokens=job.tokens + (before.tokens if before and answer.base else 0),
            error=job.error.message if job.error else "", cut=cut,
        )  # fmt: skip

    async def _prompt(self, engine: Engine, answer: Answer) -> str:
        """The prompt for `answer` from the conversation as it is now, in `engine`'s template and
        measured with its tokenizer (oldest turns left out to fit, and the answer says so)."""
        state = self.store.state
        tokens = int(state.settings.engine_options(state.model_limit)["maxTokens"])
        fitted = await prompt.fit(
            prompt.template_for(engine.family), system_for(state), history(state.messages, answer.message_id),
            tokens - reserve_for(tokens), engine.count_tokens, answer.base,
        )  # fmt: skip
        if answer.job is not None:  # sizes the first-token watchdog; tells a cut answer; attachments
            answer.job.prompt_tokens, answer.job.limit = fitted.tokens, tokens
            answer.job.media = multimodal.asked(state.messages, answer.message_id)
        notes = []
        if fitted.dropped:
            notes.append(tr_n(
                "{count} older message left out to fit the model's context.",
                "{count} older messages left out to fit the model's context.", fitted.dropped,
            ))  # fmt: skip
        if fitted.system_cut:
            notes.append(
                tr(
                    "Your system prompt is too long for this model: only its beginning was used. Shorten it in Settings."
                )
            )
        if notes:
            self._update(answer, note=" ".join(notes))
        return fitted.prompt

    def _token(self, answer: Answer, job: Job) -> None:
        self._show(answer, answer.base + prompt.visible(job.text))  # a continuation joins its answer

    def _show(self, answer: Answer, text: str) -> None:
        """New text for a live answer: painted, and saved about once a second."""
        if answer.closed:
            return
        if not answer.streaming:
            answer.streaming = True
            self._update(answer, status="streaming")
        answer.text = text
        self.painter.show(answer.message_id, text)
        self.on_partial(answer.message_id, text)

    async def _in_cloud(self, answer: Answer, badge: str) -> None:
        """Stream the answer from the cloud engine with its own cancel; Stop keeps what arrived.
        A continuation asks the service to go on from the cut answer (chat/in_cloud.py)."""
        state = self.store.state
        s, shown = state.settings, seen(state.messages, answer.message_id)
        turns = await multimodal.cloud_turns([(m.role, m.text, m.attachments) for m in shown], self.media)
        if answer.base:
            turns = in_cloud.continuation(turns, answer.base)
        request = chat_request(
            self.cloud_base, state.cloud.model, state.cloud.key, turns, system_for(state), s.temperature, s.top_k,
            s.max_tokens, stream=True,
        )  # fmt: skip
        answer.call = CloudCall()
        on_text = lambda text: self._show(answer, in_cloud.joined(answer.base, text))  # noqa: E731
        got = await in_cloud.stream(self.cloud, request, on_text, answer.call)
        status, cut = got.status, got.cut
        if answer.base and status == "failed":
            status, cut = "done", True  # a continuation that failed leaves the answer as it was
        self._end(
            answer, status=status, text=answer.text, engine=badge, ttft_ms=got.ttft_ms, error=got.error, cut=cut
        )  # fmt: skip

    def _update(self, answer: Answer, **changes: object) -> None:
        """Change the answer's message, only while the answer is live in its own conversation."""
        if answer.closed or answer.conversation != self.store.state.shelf.current:
            return
        message = self._message(answer.message_id)
        if message is not None and message.status not in FINAL_STATUSES:
            self._put(replace(message, **changes))

    def _end(self, answer: Answer, **changes: object) -> None:
        self._update(answer, **changes)
        answer.close()
        self.painter.forget(answer.message_id)

    def stop(self) -> None:
        """Stop the answer being written now; its partial text stays."""
        for answer in list(self.answers.values()):
            if answer.state == "running":
                answer.stop(self.queue.cancel)

    def cancel(self, answer_id: int) -> None:
        """Withdraw one waiting answer (or stop it if it is being written)."""
        answer = self.answers.get(answer_id)
        if answer is None:
            return
        if answer.state == "waiting":  # a continuation goes back to the answer it was
            self._end(answer, **({"status": "done", "cut": True} if answer.base else {"status": "cancelled"}))
        else:
            answer.stop(self.queue.cancel)

    def regenerate(self) -> None:
        """Ask again for the last answer."""
        messages = self.store.state.messages
        if len(messages) < 2 or messages[-1].role != "model" or messages[-1].status not in FINAL_STATUSES:
            return
        self.store.dispatch(MessageRemoved(messages[-1].id))
        self._ask()

    def go_on(self) -> None:
        """Continue the last answer where the token budget cut it: the engine is asked to go on
        from its text, and what it writes joins the same answer."""
        messages = self.store.state.messages
        last = messages[-1] if messages else None
        if last is None or last.role != "model" or not last.cut or last.status != "done":
            return
        answer = Answer(
            self.store.state.shelf.current, last.id, text=last.text, base=last.text, streaming=True
        )
        self.answers[answer.message_id] = answer
        self._put(replace(last, status="streaming", cut=False, error=""))
        self.tasks.spawn(self._run(answer))

    def abandon(self) -> None:
        """Close every answer of the conversation on screen (another one is opening).

        Unfinished answers end now, keeping what was written, so the conversation left behind
        is saved complete and never spins when it is opened again; whatever their job or request
        still delivers goes nowhere.
        """
        for answer in list(self.answers.values()):
            text = answer.text
            self._end(answer, status="stopped" if text else "cancelled", text=text)
            answer.stop(self.queue.cancel)
        self.answers.clear()
        self._ids = max([self._ids, *(m.id for m in self.store.state.messages)])
        self.queue.cancel_all(TAG)

    def clear(self) -> None:
        """New chat: cancel everything the chat queued and forget the conversation."""
        self.abandon()
        self.store.dispatch(ChatCleared())
