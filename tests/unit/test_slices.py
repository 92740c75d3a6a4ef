"""Start-up imports the app in slices: each module after its own imports, nothing imported while
the order is read, and the event loop gets a turn between slices."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tabula.core import slices


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    root = tmp_path / "pkg_slices"
    root.mkdir()
    (root / "__init__.py").write_text('"""import pkg_slices.never (a docstring, not an import)"""\n')
    (root / "leaf.py").write_text("import json\nVALUE = 1\n")
    (root / "middle.py").write_text(
        "from pkg_slices.leaf import VALUE\nfrom pkg_slices import (\n    leaf,\n)\n"
    )
    (root / "top.py").write_text(
        "from __future__ import annotations\nfrom pkg_slices import middle\n\ndef late():\n    import pkg_slices.never\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "pkg_slices"
    for name in [n for n in sys.modules if n.startswith("pkg_slices")]:
        del sys.modules[name]


def test_each_module_comes_after_what_it_imports_and_nothing_is_imported_meanwhile(package: str) -> None:
    found = list(slices.order(f"{package}.top"))
    assert [n for n in found if n.startswith(package)] == [
        package,
        f"{package}.leaf",
        f"{package}.middle",
        f"{package}.top",
    ]
    assert not [n for n in sys.modules if n.startswith(package)]


def test_import_in_slices_imports_it_all_and_yields_between_slices(
    package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slices, "SLICE_S", -1.0)  # every module is a slice of its own
    turns: list[str] = []

    async def main() -> None:
        async def other() -> None:
            while f"{package}.top" not in sys.modules:
                turns.append(str(len([n for n in sys.modules if n.startswith(package)])))
                await asyncio.sleep(0)

        await asyncio.gather(slices.import_in_slices(f"{package}.top"), other())

    asyncio.run(main())
    assert sys.modules[f"{package}.top"].middle.VALUE == 1
    assert f"{package}.never" not in sys.modules
    assert len(set(turns)) >= 3  # the other task ran between the imports of the package's modules
