"""Study tools: Quiz me and Mind map. Pure over ports: asks the engine routing chose, validates
the structured answer, retries once on invalid output, then reports a clear error.

Invalid output never reaches the views: only parsed Questions and Nodes go into the State.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tabula.cloud.client import ask
from tabula.cloud.ports import CloudClient
from tabula.cloud.wire import CloudError, chat_request, json_request
from tabula.core.actions import Store, StudyChanged
from tabula.core.decide import Decision, decide_for
from tabula.core.tasks import Spawn
from tabula.engine import prompt
from tabula.engine.errors import EngineError
from tabula.engine.queue import InferenceQueue, JobState
from tabula.i18n.translate import tr
from tabula.study.result import Study
from tabula.study.structured import (
    QUIZ_SCHEMA,
    StructuredError,
    mindmap_prompt,
    parse_outline,
    parse_quiz,
    quiz_prompt,
)

if TYPE_CHECKING:
    pass

MAX_TOPIC = 8000
TAG = "study"


class StudyTools:
    """Makes quizzes and mind maps; checks quiz answers."""

    def __init__(
        self, store: Store, queue: InferenceQueue, cloud: CloudClient | None, cloud_base: str,
        spawn: Spawn,
    ) -> None:  # fmt: skip
        self.store, self.queue, self.cloud, self.cloud_base, self.spawn = (
            store,
            queue,
            cloud,
            cloud_base,
            spawn,
        )

    def make(self, data: dict[str, str]) -> None:
        """The Study form was sent with Quiz me or Mind map."""
        topic, feature = data.get("topic", "").strip(), data.get("feature", "quiz")
        decision = decide_for(self.store.state, feature)
        problem = self._problem(topic, decision)
        if problem:
            self._show(Study(topic, error=problem))
            return
        self._show(Study(topic, busy=feature))
        self.spawn(self._make(feature, topic, decision))

    def check(self, data: dict[str, str]) -> None:
        """Check the quiz answers picked so far."""
        study = self.store.state.study
        picked = tuple(
            (i, int(data[f"q{i}"])) for i in range(len(study.quiz)) if data.get(f"q{i}", "").isdigit()
        )
        self._show(replace(study, picked=picked, checked=True))

    def _problem(self, topic: str, decision: Decision) -> str:
        if self.store.state.study.busy:
            return tr("Wait for the current result first.")
        if not topic:
            return tr("Type a topic or paste your notes first.")
        if len(topic) > MAX_TOPIC:
            return tr("That is too long: keep it under {count} characters.", count=MAX_TOPIC)
        if decision.where == "unavailable":
            return f"{decision.reason} {decision.fix}".strip()
        return ""

    async def _make(self, feature: str, topic: str, decision: Decision) -> None:
        problem = ""
        for _attempt in range(2):  # the first try, then one retry on invalid output
            try:
                text = await self._ask(feature, topic, decision)
            except (CloudError, EngineError) as error:
                problem = error.message
                break
            except Exception as bug:  # never leave the page saying "Working on it…"
                problem = tr("Something went wrong: {error}", error=bug)
                break
            try:
                self._done(feature, topic, decision, text)
                return
            except StructuredError as error:
                problem = tr("The answer could not be used, even after a second try: {reason}", reason=error)
        self._show(Study(topic, error=problem, engine=decision.badge))

    def _done(self, feature: str, topic: str, decision: Decision, text: str) -> None:
        if feature == "quiz":
            self._show(Study(topic, engine=decision.badge, quiz=parse_quiz(text)))
        else:
            self._show(Study(topic, engine=decision.badge, mindmap=parse_outline(text)))

    async def _ask(self, feature: str, topic: str, decision: Decision) -> str:
        asked = quiz_prompt(topic) if feature == "quiz" else mindmap_prompt(topic)
        if decision.where == "cloud" and self.cloud is not None:
            return await ask(self.cloud, self._cloud_request(feature, asked))
        return await self._ask_here(asked)

    def _cloud_request(self, feature: str, asked: str):
        cloud = self.store.state.cloud
        if feature == "quiz":
            return json_request(self.cloud_base, cloud.model, cloud.key, asked, QUIZ_SCHEMA)
        turns = [("user", asked)]
        return chat_request(self.cloud_base, cloud.model, cloud.key, turns, "", 0.4, 40, 2048, stream=False)

    async def _ask_here(self, asked: str) -> str:
        state = self.store.state
        family = state.model.family if state.model else "gemma3"
        text = prompt.render(prompt.template_for(family), "", [prompt.Turn("user", asked)])
        job = await self.queue.submit(text, tag=TAG).done
        if job.state is JobState.FAILED and job.error is not None:
            raise job.error
        return prompt.visible(job.text)

    def _show(self, study: Study) -> None:
        self.store.dispatch(StudyChanged(study))
