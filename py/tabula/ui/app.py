"""The App: turns page events into actions and paints each new State onto the Page.

Pure wiring over the `ports` protocols, so it runs under CPython with tests/fakes.py.
Only the parts of the screen that changed are painted (in a keyed region such as the chat log,
only the items that changed); the view is replaced on navigation.
"""

from __future__ import annotations

from collections.abc import Callable

from tabula.chat.ports import StreamPainter
from tabula.core import router
from tabula.core.actions import ConnectivityChanged, RouteChanged, Store, TroubleReported, UpdateWaiting
from tabula.core.state import State
from tabula.i18n import translate as i18n
from tabula.ui.ports import Handler, Page, Updates
from tabula.ui.views import Screen, screen
from tabula.ui.views.html import Items


class App:
    """Owns the Store and paints it onto a Page."""

    def __init__(
        self,
        store: Store,
        page: Page,
        updates: Updates,
        handlers: dict[str, Handler] | None = None,
        painter: StreamPainter | None = None,
        on_file: Callable[[str, object], object] | None = None,
    ) -> None:
        self.store, self.page, self.updates, self.painter = store, page, updates, painter
        self.on_file = on_file or (lambda _action, _file: None)
        self.shown: Screen | None = None
        self.handlers: dict[str, Handler] = {
            "apply-update": lambda _data: self.updates.apply(),
            "dismiss-trouble": lambda _data: self.store.dispatch(TroubleReported("")),
            **(handlers or {}),
        }
        store.subscribe(self._changed)

    def start(self) -> None:
        """Read where the user is, paint the first screen, and declare the app ready."""
        self.store.dispatch(RouteChanged(router.parse(self.page.current_hash())))
        self.store.dispatch(ConnectivityChanged(self.page.is_online()))
        if self.updates.waiting() or self.updates.elsewhere():
            self.store.dispatch(UpdateWaiting(elsewhere=self.updates.elsewhere()))
        self.paint(self.store.state)
        self.page.set_boot_state("ready")

    def on_hash(self, hash_: str) -> None:
        """The location hash changed (link, back/forward, typed URL)."""
        self.store.dispatch(RouteChanged(router.parse(hash_)))

    def on_connectivity(self, online: bool) -> None:
        self.store.dispatch(ConnectivityChanged(online))

    def on_update_waiting(self) -> None:
        self.store.dispatch(UpdateWaiting())

    def on_updated_elsewhere(self) -> None:
        """Another window took the new version; this one still runs the old one."""
        self.store.dispatch(UpdateWaiting(elsewhere=True))

    def on_action(self, name: str, data: dict[str, str]) -> None:
        """A click on an element with data-action=`name`."""
        handler = self.handlers.get(name)
        if handler is None:
            raise KeyError(f"no handler for data-action={name!r}")
        handler(data)

    def _changed(self, old: State, new: State) -> None:
        self.paint(new)
        if old.route != new.route:
            self.page.focus_view()

    def paint(self, state: State) -> None:
        """Paint the parts of the screen that differ from what is shown (all of it in a new language)."""
        i18n.use(state.lang)
        new, old = screen(state), self.shown
        if old is not None and old.lang != new.lang:
            old = None
        if old is None or (new.lang, new.theme, new.labels) != (old.lang, old.theme, old.labels):
            self.page.set_appearance(new.lang, new.theme, dict(new.labels))
        fresh = old is None or (new.view, new.title) != (old.view, old.title)
        if fresh:
            self.page.set_view(new.view, new.title)
        shown_regions = dict(old.regions) if old is not None and not fresh else {}
        changed = [(key, html) for key, html in new.regions if shown_regions.get(key) != html]
        for key, html in changed:
            self._paint_region(key, html, shown_regions.get(key))
        if changed and self.painter is not None:
            self.painter.repaint()
        if old is None or new.nav != old.nav:
            self.page.set_nav(new.nav)
        if old is None or (new.net_label, new.online) != (old.net_label, old.online):
            self.page.set_net(new.net_label, new.online)
        if old is None or new.engine != old.engine:
            self.page.set_engine(new.engine)
        if old is None or new.route != old.route:
            self.page.set_route(new.route)
        if old is None or new.banner != old.banner:
            self.page.set_banner(new.banner)
        if old is None or new.blocked != old.blocked:
            self.page.set_blocked(new.blocked)
        self.shown = new

    def _paint_region(self, key: str, html: str | Items, shown: str | Items | None) -> None:
        """Paint one region: a string whole, keyed items only where they differ from `shown`."""
        if isinstance(html, str):
            self.page.set_region(key, html)
            return
        before = dict(shown) if isinstance(shown, tuple) else {}
        changed = {item: part for item, part in html if before.get(item) != part}
        self.page.set_items(key, [item for item, _ in html], changed)
