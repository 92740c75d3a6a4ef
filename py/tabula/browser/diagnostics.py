"""Diagnostics for people chasing a leak, from the console:

- `tabulaDiagnostics()` gives the size of Pyodide's wasm heap, the engine hosts alive on this
  page (`engine_hosts`: 1 while a model is loaded or loading; more means an abandoned engine
  still holds its worker, GPU device and heap; the engine's own heap is in its worker:
  `self.tabulaEngine.heap()` there), the JS values Python holds (Pyodide's hiwire table:
  every live JsProxy and borrowed reference), the Python objects the collector tracks (after a
  collection), and the live PyProxies made since tracing began.
- `tabulaDiagnostics("trace")` begins counting PyProxies (Pyodide's allocation tracing keeps
  a stack per proxy, so it is off until asked for).

One long-lived proxy; reads only (and a `gc.collect()`). Also `mark()`: the boot's steps as
performance marks (`tabula:<step>`), by which bench/boottasks.py places the start-up's long tasks.
"""

from __future__ import annotations

import gc

import js
import pyodide_js
from pyodide.ffi import create_proxy, to_js

from tabula.browser import engine_host

_kept: list = []
_tracing: list[bool] = []


def _report(what: str | None = None) -> object:
    module = pyodide_js._module
    if what == "trace" and not _tracing:
        module.enable_pyproxy_allocation_tracing()
        _tracing.append(True)
    gc.collect()
    facts = {
        "wasm_bytes": int(module.HEAP8.length),
        "engine_hosts": engine_host.live_hosts(),
        "js_refs": int(module._hiwire_num_refs()),
        "python_objects": len(gc.get_objects()),
        "pyproxies": int(module.pyproxy_alloc_map.size) if _tracing else -1,
    }
    return to_js(facts, dict_converter=js.Object.fromEntries)


def expose() -> None:
    """Install window.tabulaDiagnostics once."""
    if not _kept:
        _kept.append(create_proxy(_report))
        js.window.tabulaDiagnostics = _kept[0]


def mark(step: str) -> None:
    """A performance mark `tabula:<step>` (a boot step done), for the start-up profile."""
    js.performance.mark(f"tabula:{step}")
