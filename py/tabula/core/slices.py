"""Importing the app in slices, so start-up never blocks the page for long.

Importing tabula.main compiles and runs ~100 modules: in one go that is one main-thread task of
~0.4 s on a 2-core PC (bench/boottasks.py). `import_in_slices(name)` imports the same modules
leaf first, each after the modules it imports at its top level (read from its source with a cheap
line scan, not a parse), and gives the event loop a turn whenever a slice has run for
`SLICE_S`, so no task holds the main thread much longer than one module's import. Modules without
a source file (the standard library, inside Pyodide's zip) are imported as they come.
Imports nothing of the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

SLICE_S = 0.03
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')  # docstrings may begin a line with "import"
_TOP_IMPORT = re.compile(
    r"^(?:from\s+([\w.]+)\s+import\s+(?:\(([\w\s,]+)\)|([\w ,]+))|import\s+([\w.]+))", re.M
)


def _file(name: str) -> Path | None:
    """The source file of module `name` on sys.path, found without importing anything."""
    for entry in sys.path:
        base = Path(entry or ".", *name.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
    return None


def _imported_by(source: str) -> list[str]:
    """The module names a source imports at its top level (`from a import b` names a.b too)."""
    names: list[str] = []
    for package, wrapped, members, plain in _TOP_IMPORT.findall(source):
        if plain:
            names.append(plain)
        elif not package.startswith("."):
            names.append(package)
            names += [f"{package}.{m.strip()}" for m in (wrapped or members).split(",") if m.strip()]
    return names


def order(name: str, seen: set[str] | None = None) -> Iterator[str]:
    """`name` and what it imports, each file-backed module after its own imports (leaf first);
    a name without a file is a module of the standard library, or a name inside its parent.
    Lazy, so the reading is sliced with the importing."""
    seen = set() if seen is None else seen
    if name in seen or name in sys.modules or name == "__future__":
        return
    seen.add(name)
    path = _file(name)
    if path is None:
        parent = name.rpartition(".")[0]
        if not (parent and _file(parent)):
            yield name
        return
    for dep in _imported_by(_STRINGS.sub("", path.read_text())):
        yield from order(dep, seen)
    yield name


async def import_in_slices(name: str) -> None:
    """Import module `name` (and what it imports) in slices of about SLICE_S each."""
    began = time.perf_counter()
    for module in order(name):
        if module not in sys.modules:
            with contextlib.suppress(ModuleNotFoundError):  # a name in a stdlib module
                importlib.import_module(module)
        if time.perf_counter() - began > SLICE_S:
            await asyncio.sleep(0)
            began = time.perf_counter()
