"""The tree a newcomer reads: capability packages, layers that hold, no import cycles, small
modules, names that cannot be confused. Read from the source with `ast` (tests/unit/import_graph.py).
"""

from __future__ import annotations

import ast
from itertools import combinations
from pathlib import Path

import pytest

from tests.unit.import_graph import PACKAGE, Edge, cycles, edges, modules, package_of

DOMAINS = {"engine", "models", "cloud", "chat", "study", "prefs", "media"}
PACKAGES = {"core", "i18n", "ui", "browser"} | DOMAINS
# The domain value modules core/state.py composes into the State (and core/actions.py carries).
CORE_VALUES = {
    "tabula.chat.messages", "tabula.chat.conversations", "tabula.models.catalog", "tabula.models.fit",
    "tabula.models.transfers", "tabula.cloud.access", "tabula.prefs.generation", "tabula.study.result",
}  # fmt: skip
MAX_LINES = 300
GRAPH = edges()


def crossing(edge: Edge) -> tuple[str, str]:
    return package_of(edge.source), package_of(edge.target)


def offenders(rule) -> list[str]:
    return sorted(f"{e.source}:{e.line} imports {e.target}" for e in GRAPH if rule(e))


def public_modules(package: str) -> set[str]:
    """The module names a package's __init__ lists in `__all__` (what other packages may import)."""
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_the_tree_is_cut_into_the_capability_packages() -> None:
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert found == PACKAGES
    assert loose == ["__init__.py", "main.py"]  # only the composition root stays at the top


def test_the_graph_reader_sees_lazy_and_type_only_imports(tmp_path: Path) -> None:
    """The cycle test below can fail: a lazy import inside a function is a cycle too."""
    package = tmp_path / "tabula"
    package.mkdir()
    (package / "__init__.py").write_text('"""x"""\n')
    (package / "a.py").write_text("from tabula import b\n")
    (package / "b.py").write_text("def late():\n    from tabula.a import thing\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tabula import a\n"
    )
    found = edges(package)
    assert cycles(found) == [["tabula.a", "tabula.b"]]
    assert [e.typing_only for e in found if e.source == "tabula.c"] == [True]


def test_no_import_cycles_lazy_or_not() -> None:
    assert cycles(GRAPH) == []


def test_i18n_imports_nothing_else() -> None:
    assert offenders(lambda e: crossing(e)[0] == "i18n" and crossing(e)[1] != "i18n") == []


def test_core_imports_only_what_its_state_composes() -> None:
    def wrong(e: Edge) -> bool:
        source, target = crossing(e)
        return (
            source == "core"
            and target not in ("core", "i18n")
            and e.target not in CORE_VALUES | {f"tabula.{target}"}
        )

    assert offenders(wrong) == []


def test_domains_never_import_ui_browser_or_main() -> None:
    def wrong(e: Edge) -> bool:
        source, target = crossing(e)
        return source in DOMAINS and target in ("ui", "browser", "main")

    assert offenders(wrong) == []


def test_no_domain_imports_state_at_run_time() -> None:
    """Domains read the State through the Store; naming its type in a hint is all they may do."""
    wrong = lambda e: crossing(e)[0] in DOMAINS and e.target == "tabula.core.state" and not e.typing_only  # noqa: E731
    assert offenders(wrong) == []


def test_ui_and_browser_stay_on_their_sides() -> None:
    def wrong(e: Edge) -> bool:
        source, target = crossing(e)
        return (source, target) in {("ui", "browser"), ("browser", "ui")} or target == "main"

    assert offenders(wrong) == []


def test_other_packages_import_only_public_modules() -> None:
    """A package's internals (modules missing from its `__all__`) are its own business."""

    def wrong(e: Edge) -> bool:
        source, target = crossing(e)
        inner = e.target.split(".")[2:3]
        return (
            source != target and target in PACKAGES and bool(inner) and inner[0] not in public_modules(target)
        )

    assert offenders(wrong) == []


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_each_package_says_what_it_owns_and_lists_its_public_modules(package: str) -> None:
    init = PACKAGE / package / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text())) or ""
    assert len(doc) > 80, f"{package}/__init__.py needs a docstring saying what it owns"
    assert "import" in doc.lower(), f"{package}/__init__.py should say what it may import"
    names = {
        p.stem for p in (PACKAGE / package).iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    assert public_modules(package) <= names, f"{package}.__all__ names modules that do not exist"


def test_every_module_has_a_docstring_and_stays_small() -> None:
    undocumented = [n for n, p in modules().items() if not ast.get_docstring(ast.parse(p.read_text()))]
    large = {n: lines for n, p in modules().items() if (lines := len(p.read_text().splitlines())) > MAX_LINES}
    assert undocumented == [] and large == {}


def _near(a: str, b: str) -> bool:
    """Whether two module names read alike: the same word with another ending (router/routing,
    downloads/downloader), one the start of the other, or two letters apart (state/store)."""

    def root(name: str) -> str:
        word = name.lower().replace("_", "")
        for ending in ("ing", "er", "s"):
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
        return word

    x, y = root(a), root(b)
    short = min(len(x), len(y))
    prefix = short >= 4 and (x.startswith(y) or y.startswith(x))
    return x == y or prefix or (short >= 5 and abs(len(x) - len(y)) <= 1 and _distance(x, y) <= 2)


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@pytest.mark.parametrize(("a", "b"), [("router", "routing"), ("downloads", "downloader"), ("state", "store")])
def test_the_name_check_catches_the_old_confusions(a: str, b: str) -> None:
    assert _near(a, b)


def test_no_two_module_names_read_alike() -> None:
    """The same name in two packages is a parallel role (chat/ports.py, models/ports.py;
    ui/views/chat.py, ui/handlers/chat.py); two different names that read alike are a trap."""
    names = sorted({name.rsplit(".", 1)[1] for name, path in modules().items() if path.name != "__init__.py"})
    assert [(a, b) for a, b in combinations(names, 2) if _near(a, b)] == []
