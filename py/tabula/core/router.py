"""Hash routes <-> Route values. Pure: no imports from the browser.

`#/chat`, `#/study`, `#/models`, `#/settings`, `#/about`; an empty hash means chat;
`#/doc/<conversation>/<message>/<passage>` is the document view at a passage a question sent
(issue #24: ui/views/documents.py reads the rest); anything else is a not-found Route that
remembers what was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGES = ("chat", "study", "models", "settings", "about")
HOME = "chat"
NOT_FOUND = "not-found"
DOC = "doc"


@dataclass(frozen=True)
class Route:
    """Where the user is: a page name, and for not-found the path they asked for."""

    name: str
    asked: str = ""  # not-found: the path asked for; doc: what follows `doc/`


def parse(hash_: str) -> Route:
    """Route for a location hash such as `#/models` (tolerates `#models`, `#/models/`)."""
    path = hash_.removeprefix("#").strip("/")
    if path == "":
        return Route(HOME)
    if path in PAGES:
        return Route(path)
    if path.startswith(f"{DOC}/"):
        return Route(DOC, asked=path.removeprefix(f"{DOC}/"))
    return Route(NOT_FOUND, asked=path)


def to_hash(route: Route) -> str:
    """The canonical hash for a Route (not-found keeps the path it was given)."""
    if route.name == NOT_FOUND:
        return f"#/{route.asked}"
    if route.name == DOC:
        return f"#/{DOC}/{route.asked}"
    return f"#/{route.name}"
