"""BrowserWindows (models.ports.WindowLock) and BrowserChannel (chat.ports.Broadcast) over
pwa/js/windows.js: the Web Lock that makes one window of this origin run the engine and the
downloads, and a BroadcastChannel between windows. Long-lived proxies, kept for the page's life.
"""

from __future__ import annotations

from collections.abc import Callable

from pyodide.ffi import create_proxy
from pyscript import js_import

from tabula.browser._js import absolute

_shim: list = []
_kept: list = []  # proxies JS may call at any time, for the page's life


async def _module():
    if not _shim:
        (module,) = await js_import(absolute("js/windows.js"))
        _shim.append(module)
    return _shim[0]


class BrowserWindows:
    """The engine lock, through navigator.locks."""

    async def hold(self, steal: bool, on_lost: Callable[[], None]) -> bool:
        proxy = create_proxy(lambda *_args: on_lost())
        _kept.append(proxy)
        return bool(await (await _module()).hold(steal, proxy))


class BrowserChannel:
    """One BroadcastChannel; messages are text (JSON made by the caller)."""

    def __init__(self, channel: object) -> None:
        self._channel = channel

    @classmethod
    async def open(cls, name: str, on_message: Callable[[str], None]) -> BrowserChannel:
        proxy = create_proxy(lambda text: on_message(str(text)))
        _kept.append(proxy)
        return cls((await _module()).channel(name, proxy))

    def post(self, text: str) -> None:
        self._channel.post(text)
