"""The Study page's handlers: make a quiz or a mind map, check the quiz's answers. Pure."""

from __future__ import annotations

from tabula.study.tools import StudyTools
from tabula.ui.ports import Handler


class StudyControls:
    """Handlers for the study tools."""

    def __init__(self, study: StudyTools) -> None:
        self.study = study

    def table(self) -> dict[str, Handler]:
        return {"study": self.study.make, "check-quiz": self.study.check}
