"""ServiceWorkerUpdates (ui.ports.Updates): the update channel that pwa/js/boot.js keeps.

boot.js registers the service worker before Python starts; this adapter imports that same
module instance and relays 'a new version is waiting', 'another window took it', 'the page is
shown again', 'look for one now' and 'apply it now'.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import create_proxy
from pyscript import js_import


class ServiceWorkerUpdates:
    """Ask boot.js whether an update waits; apply it on the user's word."""

    def __init__(self, module) -> None:
        self.module = module
        self._proxy = None
        self._install_proxy = None
        self._kept: list = []  # proxies boot.js may call for the page's life

    @classmethod
    async def connect(cls) -> ServiceWorkerUpdates:
        (module,) = await js_import(str(js.URL.new("js/boot.js", js.document.baseURI).href))
        return cls(module)

    def waiting(self) -> bool:
        return bool(self.module.updateWaiting())

    def on_waiting(self, callback: Callable[[], None]) -> None:
        self._proxy = create_proxy(lambda _flag: callback())
        self.module.onUpdateWaiting(self._proxy)

    def elsewhere(self) -> bool:
        return bool(self.module.updatedElsewhere())

    def on_elsewhere(self, callback: Callable[[], None]) -> None:
        self._kept.append(create_proxy(lambda _flag: callback()))
        self.module.onUpdatedElsewhere(self._kept[-1])

    def on_visible(self, callback: Callable[[], None]) -> None:
        self._kept.append(create_proxy(lambda *_args: callback()))
        self.module.onVisible(self._kept[-1])

    async def check(self) -> bool:
        return bool(await self.module.checkForUpdate())

    def apply(self) -> bool:
        return bool(self.module.applyUpdate())

    def installable(self) -> bool:
        return bool(self.module.installable())

    def on_installable(self, callback: Callable[[bool], None]) -> None:
        self._install_proxy = create_proxy(lambda flag: callback(bool(flag)))
        self.module.onInstallable(self._install_proxy)

    async def install(self) -> str:
        return str(await self.module.install())
