"""The import graph of py/tabula, read with `ast` (nothing is imported or run).

Every import statement counts, at the top of a module, inside a function (a "lazy" import) or
under `if TYPE_CHECKING:`; the last kind is marked, because it never runs. Importing
`tabula.a.b` runs `tabula/a/__init__.py` first, so a module also depends on its packages.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "py" / "tabula"


@dataclass(frozen=True)
class Edge:
    source: str  # dotted module name, "tabula.chat.answering"
    target: str
    line: int
    typing_only: bool  # under `if TYPE_CHECKING:`: never runs


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """{dotted name: path} of every module and package under `root` (packages by their name)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _typing_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _targets(node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or not node.module:
        raise AssertionError(f"relative import at line {node.lineno}: use absolute tabula.* imports")
    names = [f"{node.module}.{alias.name}" for alias in node.names]
    return [name if name in known else node.module for name in names]


def edges(root: Path = PACKAGE) -> list[Edge]:
    """Every import of a tabula module by a tabula module, with its packages' __init__ too."""
    known = modules(root)
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        typing = _typing_lines(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, known):
                chain = target.split(".")
                for depth in range(1, len(chain) + 1):
                    step = ".".join(chain[:depth])
                    if step in known and step != name and not name.startswith(step + "."):
                        found.append(Edge(name, step, node.lineno, node.lineno in typing))
    return found


def cycles(found: list[Edge]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in found:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def package_of(module: str) -> str:
    """The capability package a module belongs to ("tabula.chat.library" -> "chat"; "main")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""
