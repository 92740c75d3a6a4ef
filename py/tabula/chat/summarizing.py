"""Running the summary of a long document (issue #24; the plan is chat/mapreduce.py): one answer in
the conversation whose parts are queued one after another through the InferenceQueue (tag
"chat", so leaving the conversation cancels them), each built with the running engine's own
template and tokenizer when its turn comes, then the summaries combined until one is left.

The answer shows its step ("Summarizing part 4 of 12…") and the summaries so far while it runs,
and is saved as it goes like any answer. Stop ends the whole summary, between parts as well as
in one: what was summarized is kept, with the pages it covers; no part is asked after it. It
takes the conversation's turn (one answer at a time, in order) like Chat's own answers, and
belongs to Chat's answers so Stop, Cancel and leaving the conversation reach it. Pure.

May import: chat (answering, lifecycle, messages, mapreduce, documents), core, engine, i18n.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tabula.chat import mapreduce as summary
from tabula.chat.answering import TAG, Chat, reserve_for, system_for
from tabula.chat.documents import Document
from tabula.chat.lifecycle import Answer
from tabula.chat.mapreduce import Summary
from tabula.chat.messages import Message
from tabula.core.decide import decide_for
from tabula.engine import prompt
from tabula.engine.ports import Engine
from tabula.engine.queue import Job, JobState
from tabula.i18n.translate import tr

REDUCE_ROOM = 120  # characters kept free in a combining message for its longer instruction


@dataclass(eq=False)
class SummaryAnswer(Answer):
    """An answer made of several engine calls: Stop ends the one running and every later one."""

    halted: bool = False
    tokens: int = 0

    def stop(self, queue_cancel) -> bool:
        self.halted = True
        super().stop(queue_cancel)
        return True


def first_part(doc: Document, size: int) -> str:
    """The message for the first part when parts are `size` characters (to measure the fit)."""
    return summary.map_message(doc, summary.chunks(doc, size)[0])


class Summarizer:
    """Summarizes a document part by part on the device, in the conversation on screen."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def parts(self, doc: Document, size: int) -> int:
        """How many parts of `size` characters `doc` makes (1: it is summarized in one answer)."""
        return len(summary.chunks(doc, size))

    def start(self, doc: Document, size: int) -> None:
        """Add the request and its answer to the conversation; parts of `size` characters."""
        chat = self.chat
        parts = summary.chunks(doc, size)
        asked = tr("Summarize {source} ({where}).", source=summary.source_of(doc), where=summary.where(parts))
        chat._put(Message(chat._next_id(), "user", asked))
        answer = SummaryAnswer(chat.store.state.shelf.current, chat._next_id())
        chat.answers[answer.message_id] = answer
        chat._put(Message(answer.message_id, "model", status="waiting"))
        chat.tasks.spawn(self._run(answer, doc, parts, size))

    async def _run(self, answer: SummaryAnswer, doc: Document, parts: list, size: int) -> None:
        chat = self.chat
        try:
            async with chat._turn:
                if answer.closed:
                    return
                answer.state = "running"
                decision = decide_for(chat.store.state, "chat")
                if decision.where == "unavailable":
                    error = f"{decision.reason} {decision.fix}"
                    return chat._end(answer, status="failed", engine=decision.badge, error=error)
                chat.painter.follow(answer.message_id, lambda: chat.queue.pump(answer.job))
                await self._summarize(answer, doc, parts, size, decision.badge)
        except Exception as bug:  # never leave an answer waiting forever; the supervisor reports it
            chat._end(
                answer, status="failed", text=answer.text, error=tr("The answer failed: {error}", error=bug)
            )
            raise
        finally:
            if chat.answers.get(answer.message_id) is answer:
                del chat.answers[answer.message_id]

    async def _summarize(
        self, answer: SummaryAnswer, doc: Document, parts: list, size: int, badge: str
    ) -> None:
        """Each part, then the summaries combined round by round until one is left."""
        done: list[Summary] = []
        for n, chunk in enumerate(parts, 1):
            step = summary.part_step(n, len(parts))
            job = await self._ask(
                answer, summary.map_message(doc, chunk), lambda t, s=step: (doc, done, s, t)
            )
            if answer.halted or job.state is not JobState.DONE:
                return self._halt(answer, doc, done, len(parts), job, badge)
            done.append(Summary(prompt.visible(job.text), (chunk,)))
        level = done
        while len(level) > 1:
            grouped, level = summary.groups(level, size - REDUCE_ROOM), []
            for n, group in enumerate(grouped, 1):
                if len(group) == 1:
                    level.append(group[0])
                    continue
                step = summary.combine_step(n, len(grouped))
                message = summary.reduce_message(doc, group, size - REDUCE_ROOM)
                job = await self._ask(answer, message, lambda t, s=step: (doc, [], s, t))
                if answer.halted or job.state is not JobState.DONE:
                    kept = level + [s for g in grouped[n - 1 :] for s in g]
                    return self._halt(answer, doc, kept, len(parts), job, badge)
                level.append(summary.combined(group, prompt.visible(job.text)))
        text = summary.finished(doc, level[0])
        self.chat._end(answer, status="done", text=text, engine=badge, tokens=answer.tokens)

    async def _ask(self, answer: SummaryAnswer, message: str, shown: Callable[[str], tuple]) -> Job:
        """One engine call for `message`, its text shown (with the step) as it streams."""
        chat = self.chat
        chat._show(answer, summary.progress(*shown("")))
        answer.job = chat.queue.submit(
            lambda engine: self._prompt(engine, answer, message),
            lambda job: chat._show(answer, summary.progress(*shown(prompt.visible(job.text)))),
            tag=TAG,
        )
        job = await answer.job.done
        answer.tokens += job.tokens
        return job

    async def _prompt(self, engine: Engine, answer: SummaryAnswer, message: str) -> str:
        """The message alone (no earlier turns) in `engine`'s template, measured to fit."""
        state = self.chat.store.state
        tokens = int(state.settings.engine_options(state.model_limit)["maxTokens"])
        fitted = await prompt.fit(
            prompt.template_for(engine.family), system_for(state), [prompt.Turn("user", message)],
            tokens - reserve_for(tokens), engine.count_tokens,
        )  # fmt: skip
        if answer.job is not None:
            answer.job.prompt_tokens, answer.job.limit = fitted.tokens, tokens
        return fitted.prompt

    def _halt(
        self, answer: SummaryAnswer, doc: Document, kept: list[Summary], of: int, job: Job, badge: str
    ) -> None:
        """End the summary where Stop (or a failure) left it, keeping what was summarized."""
        text = summary.stopped(doc, kept, of)
        failed = job.state is JobState.FAILED and not answer.halted
        error = job.error.message if failed and job.error else ""
        status = "failed" if failed else "stopped"
        self.chat._end(answer, status=status, text=text, engine=badge, tokens=answer.tokens, error=error)
