"""Every UI string ships in English and Spanish: the catalogue matches the code that uses it.

The code is scanned (AST) for `tr("literal", ...)` and `N_("literal")`: each literal needs a
Spanish entry, each entry needs a literal that uses it, and both name the same {placeholders}.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tabula.i18n import translate as i18n
from tabula.i18n.es import ES, PAGES
from tabula.i18n.es_chat import CHAT
from tabula.i18n.es_core import MESSAGES

PACKAGE = Path(__file__).resolve().parents[2] / "py" / "tabula"
MARKERS = ("tr", "N_")


def calls() -> Iterator[tuple[str, int, ast.Call]]:
    """(file, line, call) for every tr(...) and N_(...) call under py/tabula."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and node.args:
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name in MARKERS:
                    yield str(path.relative_to(PACKAGE)), node.lineno, node


def literals() -> dict[str, str]:
    """Every literal passed to tr/N_, with where it is first used."""
    found: dict[str, str] = {}
    for where, line, call in calls():
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.setdefault(first.value, f"{where}:{line}")
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.use("en")


def test_every_translatable_string_has_spanish() -> None:
    missing = [f"{where}: {text!r}" for text, where in literals().items() if text not in ES]
    assert not missing, "no Spanish in tabula/text_es*.py for:\n" + "\n".join(sorted(missing))


def test_no_text_is_built_inside_tr() -> None:
    """tr(f"...") or tr("a" + b) would look up a key that can never be in the catalogue."""
    built = [
        f"{where}:{line}"
        for where, line, call in calls()
        if isinstance(call.args[0], ast.JoinedStr | ast.BinOp)
    ]
    assert built == []


def test_spanish_has_no_entry_that_no_code_uses() -> None:
    used = literals()
    orphans = sorted(text for text in ES if text not in used)
    assert not orphans, "no tr()/N_() uses these keys:\n" + "\n".join(map(repr, orphans))


def test_the_catalogue_parts_agree_where_they_share_a_key() -> None:
    """A key may sit in two parts (a word both the pages and the core use) with one Spanish."""
    parts = (PAGES, CHAT, MESSAGES)
    clashes = {k: {p[k] for p in parts if k in p} for part in parts for k in part}
    assert {k: v for k, v in clashes.items() if len(v) > 1} == {}


def test_spanish_keeps_every_placeholder() -> None:
    parts = (PAGES, CHAT, MESSAGES)
    wrong = {en: es for part in parts for en, es in part.items() if fields(en) != fields(es)}
    assert wrong == {}


def test_spanish_entries_are_not_empty() -> None:
    assert [en for en, es in ES.items() if not es.strip()] == []


def test_tr_answers_in_the_language_in_use_and_fills_values() -> None:
    assert i18n.tr("Settings") == "Settings"
    assert i18n.tr("Download ({size})", size="2 GB") == "Download (2 GB)"
    i18n.use("es")
    assert i18n.current() == "es"
    assert i18n.tr("Settings") == "Ajustes"
    assert i18n.tr("Download ({size})", size="2 GB") == "Descargar (2 GB)"
    assert i18n.tr("A string nobody translated") == "A string nobody translated"


def test_values_are_never_read_as_templates() -> None:
    assert i18n.tr("The answer is: {answer}.", answer="{x} and {}") == "The answer is: {x} and {}."


def test_unknown_language_means_english() -> None:
    i18n.use("fr")
    assert i18n.current() == "en" and i18n.tr("Settings") == "Settings"


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [
        (["es-ES", "en-US"], "es"),
        (["es-MX"], "es"),
        (["ES"], "es"),
        (["fr-FR", "es-AR", "en"], "es"),
        (["de-DE", "fr"], "en"),
        (["en-GB", "es"], "en"),
        ([], "en"),
    ],
)
def test_language_follows_the_browser(preferred: list[str], expected: str) -> None:
    assert i18n.from_browser(preferred) == expected


def test_marked_text_is_returned_as_is() -> None:
    assert i18n.N_("Quiz me") == "Quiz me"
