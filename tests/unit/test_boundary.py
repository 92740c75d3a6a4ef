"""One door to JS: only py/tabula/browser/ imports js, pyodide or pyscript."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "py" / "tabula"
BANNED = {"js", "pyodide", "pyscript"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_js_import_outside_browser_package() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & BANNED)
        for path in PACKAGE.rglob("*.py")
        if "browser" not in path.relative_to(PACKAGE).parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_browser_package_is_where_js_is_touched() -> None:
    touched = [p for p in (PACKAGE / "browser").rglob("*.py") if imported_roots(p) & BANNED]
    assert touched, "the browser adapters are expected to import js"


@pytest.mark.parametrize(("where", "flagged"), [("py/tabula/x.py", True), ("py/tabula/browser/x.py", False)])
def test_ruff_enforces_the_rule(where: str, flagged: bool) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", "--select", "TID251", "--stdin-filename", where, "-"],
        input="import js\n", capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert ("TID251" in result.stdout) is flagged
