"""Study: the study tools' last result as the State holds it (a quiz with the answers picked so
far, or a mind map). Pure values over study.structured's Question and Node.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.study.structured import Node, Question


@dataclass(frozen=True)
class Study:
    """The study tools' last result: a quiz (with the answers picked so far) or a mind map."""

    topic: str = ""
    busy: str = ""  # the feature being made ("quiz" | "mindmap"), "" when idle
    engine: str = ""  # the badge of the engine that made the result
    quiz: tuple[Question, ...] = ()
    picked: tuple[tuple[int, int], ...] = ()  # (question, choice)
    checked: bool = False
    mindmap: Node | None = None
    error: str = ""
