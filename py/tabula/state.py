"""The application's State: a frozen record of everything the views draw, with its Message and
Study parts. Actions and the reducer that make new States live in store.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tabula.catalog import ModelSpec
from tabula.cloud_settings import CloudSettings
from tabula.router import Route
from tabula.routing import Context, Decision, decide
from tabula.settings import Settings

if TYPE_CHECKING:
    from tabula.capability import DeviceReport
    from tabula.conversations import Shelf
    from tabula.downloads import Download, Quota
    from tabula.structured import Node, Question


FINAL_STATUSES = frozenset({"done", "stopped", "cancelled", "failed"})


@dataclass(frozen=True)
class Message:
    """One bubble in the conversation. Answers carry their engine and speed."""

    id: int
    role: str  # "user" | "model"
    text: str = ""
    status: str = "done"  # waiting | streaming | done | stopped | cancelled | failed
    engine: str = ""
    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    tokens: int = 0
    note: str = ""
    error: str = ""


def _empty_shelf() -> Shelf:
    from tabula.conversations import Shelf  # conversations imports this module

    return Shelf()


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


@dataclass(frozen=True)
class State:
    """Everything the views need to draw the app."""

    route: Route = Route("chat")
    online: bool = True
    update_waiting: bool = False
    installable: bool = False  # the browser offers to install the app (shows the Install button)
    engine_status: str = "no-model"
    engine_detail: str = ""
    version: str = ""
    runtime: tuple[tuple[str, str], ...] = ()
    catalog: tuple[ModelSpec, ...] = field(default=())
    model_id: str = ""
    model_limit: int | None = None
    messages: tuple[Message, ...] = ()
    settings: Settings = field(default_factory=Settings)
    settings_errors: tuple[tuple[str, str], ...] = ()
    settings_notice: str = ""
    device: DeviceReport | None = None
    downloads: tuple[Download, ...] = ()
    ready: frozenset[str] = frozenset()  # ids of models stored whole and verified on this device
    storage: Quota | None = None
    models_notice: str = ""
    cloud: CloudSettings = field(default_factory=CloudSettings)
    cloud_notice: tuple[str, str] = ("", "")  # (ok | error, text) after saving or testing the key
    study: Study = field(default_factory=lambda: Study())
    shelf: Shelf = field(default_factory=lambda: _empty_shelf())
    lang: str = "en"  # the language the UI speaks now
    lang_choice: str = ""  # what the user chose: "" follows the browser
    theme: str = "system"  # system | light | dark

    def download(self, model_id: str) -> Download | None:
        return next((d for d in self.downloads if d.model_id == model_id), None)

    def decide(self, feature: str) -> Decision:
        """Where `feature` runs now (local, cloud or unavailable) and why."""
        model, cloud = self.model, self.cloud
        ready = model is not None and self.usable(model)
        context = Context(
            ready, model.label if model else "", cloud.has_key, cloud.private, self.online, cloud.model,
            cloud.local_structured,
        )  # fmt: skip
        return decide(feature, context)

    def usable(self, model: ModelSpec) -> bool:
        """Whether `model` can be loaded now: stored and verified here, or shipped in the site."""
        return model.id in self.ready or model.source == "embedded"

    @property
    def model(self) -> ModelSpec | None:
        return next((m for m in self.catalog if m.id == self.model_id), None)
