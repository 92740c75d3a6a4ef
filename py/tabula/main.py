"""Composition root: read the build's config, build the browser adapters, wire the App, start.

This is the only core module that names browser/ adapters; everything it wires is a port.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tabula.store import ModelInfo, State, Store

CONFIG = Path("config.json")
_tasks: set[asyncio.Task] = set()


def initial_state(config: dict) -> State:
    """The State before any event, from config.json's contents."""
    return State(
        version=config["version"],
        runtime=tuple(sorted(config["runtime"].items())),
        catalog=tuple(ModelInfo(**record) for record in config["catalog"]),
    )


async def run() -> None:
    """Boot the app in the browser; any failure becomes a readable error state."""
    from tabula.browser.dom import BrowserPage, listen
    from tabula.browser.sw import ServiceWorkerUpdates

    page = BrowserPage()
    try:
        from tabula.app import App

        state = initial_state(json.loads(CONFIG.read_text()))
        updates = await ServiceWorkerUpdates.connect()
        app = App(Store(state), page, updates)
        listen(app)
        updates.on_waiting(app.on_update_waiting)
        app.start()
    except Exception as error:
        page.set_boot_state("error", f"{type(error).__name__}: {error}")
        raise


def start() -> None:
    """Schedule run() on PyScript's event loop (never blocks, never asyncio.run)."""
    task = asyncio.ensure_future(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
