"""Diagnostics for people chasing a leak: `window.tabulaDiagnostics()`
in the console gives the size of Pyodide's wasm heap. The function is itself a PyProxy, which
lets DevTools count every live PyProxy by its prototype. One long-lived proxy; reads only.
"""

from __future__ import annotations

import js
import pyodide_js
from pyodide.ffi import create_proxy, to_js

_kept: list = []


def _report() -> object:
    facts = {"wasm_bytes": int(pyodide_js._module.HEAP8.length)}
    return to_js(facts, dict_converter=js.Object.fromEntries)


def expose() -> None:
    """Install window.tabulaDiagnostics once."""
    if not _kept:
        _kept.append(create_proxy(_report))
        js.window.tabulaDiagnostics = _kept[0]
