"""Pure State -> HTML. Interactions are declared as data-action="..." attributes, never handlers.

`screen(state)` is the single entry: it returns every painted part of the page as strings.
A page is a skeleton (replaced only when it changes, e.g. on navigation, so a half-typed
message survives) plus regions inside it, repainted on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.core import versions
from tabula.core.decide import decide_for
from tabula.core.router import DOC, NOT_FOUND
from tabula.core.state import State
from tabula.i18n.translate import N_, tr
from tabula.ui.views import chat, documents, models, pages, settings, study
from tabula.ui.views.html import Items, esc

BADGE = {
    "no-model": N_("No model"),
    "loading": N_("Loading model…"),
    "ready": N_("Ready"),
    "busy": N_("Generating"),
    "finishing": N_("Finishing previous answer…"),
    "failed": N_("Engine error"),
}
PAGES = {
    "chat": chat.page,
    "models": models.page,
    "settings": settings.page,
    "study": study.page,
    "about": pages.about,
    DOC: documents.page,
    NOT_FOUND: pages.not_found,
}


@dataclass(frozen=True)
class Screen:
    """What the page shows for one State."""

    title: str
    view: str
    regions: tuple[tuple[str, str | Items], ...]  # region id -> HTML, or keyed items (html.Items)
    nav: str
    net_label: str
    online: bool
    engine: str
    route: str
    banner: str
    lang: str = "en"
    theme: str = "system"
    labels: tuple[tuple[str, str], ...] = ()  # the static shell's text: data-label name -> text
    blocked: bool = False  # another window took a new version: only the banner's Reload is live


def screen(state: State) -> Screen:
    """Everything the page paints for `state`."""
    title, view, regions = PAGES[state.route.name](state)
    return Screen(
        title=tr("{page} · Tabula", page=title),
        view=view,
        regions=tuple(sorted(regions.items())),
        nav="chat" if state.route.name == DOC else state.route.name,  # a document is read from the chat
        net_label=tr("Online") if state.online else tr("Offline"),
        online=state.online,
        engine=tr(BADGE[state.engine_status]),
        route=decide_for(state, "chat").badge,
        banner=banner(state),
        lang=state.lang,
        theme=state.theme,
        labels=shell_labels(),
        blocked=state.update_elsewhere and versions.blocker(state) == "",
    )


def shell_labels() -> tuple[tuple[str, str], ...]:
    """The text of the page's static shell (nav, footer, badge names) in the current language."""
    return (
        ("chat", tr("Chat")),
        ("study", tr("Study")),
        ("models", tr("Models")),
        ("settings", tr("Settings")),
        ("about", tr("About Tabula")),
        ("main-nav", tr("Main")),
        ("answers-from", tr("Answers from")),
        ("engine", tr("Engine")),
    )


def banner(state: State) -> str:
    """A background failure nobody handled (with Dismiss), else that another window took a new
    version (with Reload), else that another window runs the engine (with Use Tabula here) and
    the update offer when a new version waits."""
    if state.trouble:
        return (
            f'<p role="alert">{esc(state.trouble)}</p>'
            f'<button type="button" data-action="dismiss-trouble">{esc(tr("Dismiss"))}</button>'
        )
    if state.update_elsewhere:
        return update_offer(
            state, "alert", tr("Tabula was updated in another window. Reload this one to keep working.")
        )
    shown = ""
    if state.elsewhere:
        said = tr("Tabula is open in another window, which runs the model and the downloads.")
        shown = (
            f'<p role="status">{esc(said)}</p>'
            f'<button type="button" data-action="take-over">{esc(tr("Use Tabula here"))}</button>'
        )
    if state.update_waiting:
        shown += update_offer(state, "status", tr("Update available — a new version of Tabula is ready."))
    return shown


def update_offer(state: State, role: str, said: str) -> str:
    """The update's sentence with Reload, or, once Reload waits for work in progress, what for."""
    if state.update_deferred:
        after = tr("Tabula will reload with the new version as soon as the work in progress is finished.")
        return f'<p role="{role}">{esc(said)} {esc(after)}</p>'
    return (
        f'<p role="{role}">{esc(said)}</p>'
        f'<button type="button" data-action="apply-update">{esc(tr("Reload"))}</button>'
    )
