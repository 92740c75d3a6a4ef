"""BrowserPage (ui.ports.Page) over the real DOM, and the page's few long-lived listeners.

One delegated click (and submit) listener maps data-action attributes to App.on_action; hashchange and
online/offline feed the App. The proxies live as long as the page, so they are never destroyed.

Message text (what a view marks `data-md`: model answers, imported and typed text) is not the
app's: no data-action inside it is ever obeyed (nor a form or file field). The one thing that
acts there is the renderer's own Copy button, known by its place, the bar of a code block, and
naming its block by position: it carries no data-action for anything to imitate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import js
from pyodide.ffi import create_proxy, jsnull

from tabula.browser import rich

_proxies: list = []
TEXT = "[data-md]"
COPY = ".code > .code-bar > button.copy"


class Listener(Protocol):
    def on_hash(self, hash_: str) -> None: ...
    def on_connectivity(self, online: bool) -> None: ...
    def on_action(self, name: str, data: dict[str, str]) -> None: ...
    def on_file(self, action: str, file: object) -> object: ...


def _by_id(element_id: str):
    return js.document.getElementById(element_id)


class BrowserPage:
    """Paints the shell's parts that Python owns."""

    def set_view(self, html: str, title: str) -> None:
        view = _by_id("view")
        rich.paint(view, html)
        js.document.title = title
        revealed = view.querySelector("[data-reveal]")  # the passage a reference opened (issue #24)
        if revealed is not None and revealed is not jsnull:
            revealed.scrollIntoView(js.Object.fromEntries([["block", "center"]]))

    def set_region(self, region_id: str, html: str) -> None:
        region = _by_id(region_id)
        if region is not None and region is not jsnull:
            rich.paint(region, html)

    def set_items(self, region_id: str, keys: list[str], changed: dict[str, str]) -> None:
        region = _by_id(region_id)
        if region is not None and region is not jsnull:
            rich.paint_items(region, keys, changed)

    def clear_composer(self) -> None:
        box = _by_id("message")
        if box is not None and box is not jsnull:
            box.value = ""
            box.focus()

    def fill(self, element_id: str, text: str) -> None:
        field = _by_id(element_id)
        if field is not None and field is not jsnull:
            field.value = text

    def set_nav(self, current: str) -> None:
        for link in js.document.querySelectorAll("nav a[data-route]"):
            if link.dataset.route == current:
                link.setAttribute("aria-current", "page")
            else:
                link.removeAttribute("aria-current")

    def set_net(self, label: str, online: bool) -> None:
        net = _by_id("net")
        net.textContent = label
        net.dataset.online = "true" if online else "false"
        net.hidden = False

    def set_engine(self, label: str) -> None:
        _by_id("engine").textContent = label

    def set_route(self, label: str) -> None:
        _by_id("route").textContent = label

    def set_banner(self, html: str) -> None:
        banner = _by_id("banner")
        rich.paint(banner, html)
        banner.hidden = html == ""

    def set_blocked(self, blocked: bool) -> None:
        for selector in ("header.bar nav", "#view", "footer.foot"):
            element = js.document.querySelector(selector)
            if element is not None and element is not jsnull:
                element.inert = blocked

    def set_appearance(self, lang: str, theme: str, labels: dict[str, str]) -> None:
        root = js.document.documentElement
        root.lang = lang
        if theme in ("light", "dark"):
            root.dataset.theme = theme
        else:
            root.removeAttribute("data-theme")
        for element in js.document.querySelectorAll("[data-label]"):
            element.textContent = labels.get(str(element.dataset.label), element.textContent)
        for element in js.document.querySelectorAll("[data-aria-label]"):
            name = str(element.dataset.ariaLabel)
            element.setAttribute("aria-label", labels.get(name, element.getAttribute("aria-label")))

    def set_boot_state(self, state: str, message: str = "") -> None:
        js.document.documentElement.dataset.tabula = state
        if state == "ready":
            js.performance.mark("tabula:python-ready")
        if state == "error":
            view = _by_id("view")
            view.innerHTML = '<div class="error" role="alert"><h1>Tabula could not start</h1></div>'
            view.firstChild.append(js.document.createElement("p"))
            view.firstChild.lastChild.textContent = message

    def focus_view(self) -> None:
        _by_id("view").focus(js.Object.fromEntries([["preventScroll", True]]))

    def current_hash(self) -> str:
        return str(js.location.hash)

    def is_online(self) -> bool:
        return bool(js.navigator.onLine)


def _on(target, event: str, callback) -> None:
    proxy = create_proxy(callback)
    _proxies.append(proxy)
    target.addEventListener(event, proxy)


def _found(element) -> bool:
    return element is not None and element is not jsnull


def _in_text(element) -> bool:
    return hasattr(element, "closest") and _found(element.closest(TEXT))


def _clicked(listener: Listener, event) -> None:
    target = event.target
    if not hasattr(target, "closest"):
        return
    text = target.closest(TEXT)
    if _found(text):
        return _copy_clicked(listener, event, text)
    element = target.closest("[data-action]:not(form):not(input[type=file])")
    if not _found(element):
        return
    event.preventDefault()
    data = {str(key): str(value) for key, value in js.Object.entries(element.dataset)}
    listener.on_action(data.pop("action"), data)


def _copy_clicked(listener: Listener, event, text) -> None:
    """A click in message text: only a code block's Copy button acts, as copy-code of block n."""
    button = event.target.closest(COPY)
    if not _found(button) or not text.contains(button):
        return
    event.preventDefault()
    block = js.Array.prototype.indexOf.call(text.querySelectorAll(".code"), button.closest(".code"))
    listener.on_action("copy-code", {"msg": str(text.dataset.msg), "block": str(block)})


def _submitted(listener: Listener, event) -> None:
    form = event.target
    if not form.dataset.action or _in_text(form):
        return
    event.preventDefault()
    submitter = getattr(event, "submitter", None)
    entries = js.FormData.new(form, submitter) if submitter not in (None, jsnull) else js.FormData.new(form)
    data = {str(key): str(value) for key, value in entries.entries()}
    listener.on_action(str(form.dataset.action), data)


def _picked(listener: Listener, event) -> None:
    """A file chosen in an <input type=file data-action=...>: hand the File over, then reset."""
    target = event.target
    files = getattr(target, "files", None)
    if not getattr(target.dataset, "action", None) or files is None or files is jsnull or not files.length:
        return
    if _in_text(target):
        return
    several = bool(target.multiple) or bool(getattr(target, "webkitdirectory", False))
    # The FileList empties when the field is reset below, so a folder's Files are copied out first.
    listener.on_file(str(target.dataset.action), js.Array.from_(files) if several else files.item(0))
    target.value = ""


def on_leaving(callback: Callable[[], None]) -> None:
    """Call `callback` when the page is left normally (pagehide: a reload, a navigation, a
    closed tab; a renderer that crashes or is killed fires nothing)."""
    _on(js.window, "pagehide", lambda _event: callback())


def listen(listener: Listener) -> None:
    """Install the page's listeners: delegated clicks and submits, files, hash, connectivity (Enter
    to send is boot.js's: no keystroke crosses into Python)."""
    _on(js.document, "click", lambda event: _clicked(listener, event))
    _on(js.document, "submit", lambda event: _submitted(listener, event))
    _on(js.document, "change", lambda event: _picked(listener, event))
    _on(js.window, "hashchange", lambda _event: listener.on_hash(str(js.location.hash)))
    _on(js.window, "online", lambda _event: listener.on_connectivity(True))
    _on(js.window, "offline", lambda _event: listener.on_connectivity(False))
