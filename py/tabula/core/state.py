"""The application's State: one frozen record of everything the views draw.

It composes the domains' own value types (messages, conversations, models, downloads, settings,
the cloud's settings, the study result) and owns none of them; no domain imports State. Actions
and the reducer that make new States live in core/actions.py; where a feature runs is
core/decide.py's function of a State.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tabula.chat.conversations import Shelf
from tabula.chat.messages import Message
from tabula.cloud.access import CloudSettings
from tabula.core.router import Route
from tabula.models.catalog import ModelSpec
from tabula.prefs.generation import Settings
from tabula.study.result import Study

if TYPE_CHECKING:
    from tabula.models.fit import DeviceReport
    from tabula.models.transfers import Download, Quota


@dataclass(frozen=True)
class State:
    """Everything the views need to draw the app."""

    route: Route = Route("chat")
    online: bool = True
    update_waiting: bool = False
    update_elsewhere: bool = False  # another window took the new version; this one runs the old
    update_deferred: bool = False  # Reload was asked for during an answer or a download: after it
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
    study: Study = field(default_factory=Study)
    shelf: Shelf = field(default_factory=Shelf)
    lang: str = "en"  # the language the UI speaks now
    lang_choice: str = ""  # what the user chose: "" follows the browser
    theme: str = "system"  # system | light | dark
    elsewhere: bool = False  # another window of this origin runs the engine and the downloads
    trouble: str = ""  # a background task failed: the sentence the banner shows until dismissed

    def download(self, model_id: str) -> Download | None:
        return next((d for d in self.downloads if d.model_id == model_id), None)

    def usable(self, model: ModelSpec) -> bool:
        """Whether `model` can be loaded now: stored and verified here, or shipped in the site."""
        return model.id in self.ready or model.source == "embedded"

    @property
    def model(self) -> ModelSpec | None:
        return next((m for m in self.catalog if m.id == self.model_id), None)
