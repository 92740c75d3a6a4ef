"""Pure State -> HTML. Interactions are declared as data-action="..." attributes, never handlers.

`screen(state)` is the single entry: it returns every painted part of the page as strings.
A page is a skeleton (replaced only when it changes, e.g. on navigation, so a half-typed
message survives) plus regions inside it, repainted on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.router import NOT_FOUND
from tabula.store import State
from tabula.views import chat, models, pages, settings, study

BADGE = {
    "no-model": "No model",
    "loading": "Loading model…",
    "ready": "Ready",
    "busy": "Generating",
    "finishing": "Finishing previous answer…",
    "failed": "Engine error",
}
PAGES = {
    "chat": chat.page,
    "models": models.page,
    "settings": settings.page,
    "study": study.page,
    "about": pages.about,
    NOT_FOUND: pages.not_found,
}


@dataclass(frozen=True)
class Screen:
    """What the page shows for one State."""

    title: str
    view: str
    regions: tuple[tuple[str, str], ...]
    nav: str
    net_label: str
    online: bool
    engine: str
    route: str
    banner: str


def screen(state: State) -> Screen:
    """Everything the page paints for `state`."""
    title, view, regions = PAGES[state.route.name](state)
    return Screen(
        title=f"{title} · Tabula",
        view=view,
        regions=tuple(sorted(regions.items())),
        nav=state.route.name,
        net_label="Online" if state.online else "Offline",
        online=state.online,
        engine=BADGE[state.engine_status],
        route=state.decide("chat").badge,
        banner=banner(state),
    )


def banner(state: State) -> str:
    """The update offer, when a new version waits."""
    if not state.update_waiting:
        return ""
    return (
        '<p role="status">Update available — a new version of Tabula is ready.</p>'
        '<button type="button" data-action="apply-update">Reload</button>'
    )
