"""Every UI string ships in English and Spanish: the catalogue matches the code that uses it.

The code is scanned (AST) for `tr("literal", ...)`, `N_("literal")` and `tr_n("one", "other", n)`:
each literal (both forms of a plural) needs a Spanish entry, each entry needs a literal that uses
it, and both name the same {placeholders}. No UI text hedges a plural with "(s)".
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tabula.chat.conversations import Conversation, Shelf
from tabula.chat.messages import Message
from tabula.i18n import translate as i18n
from tabula.i18n.es import ES, PAGES
from tabula.i18n.es_chat import CHAT
from tabula.i18n.es_core import MESSAGES
from tabula.ui.views.library import library

PACKAGE = Path(__file__).resolve().parents[2] / "py" / "tabula"
MARKERS = ("tr", "N_", "tr_n")
PLURAL = "tr_n"  # its first two arguments are both literals: the one and the other form
# chat/answering.py is being rewritten on another branch, so its trimming notice still calls
# tr("…(s)…"): both plural forms are in the catalogue already, waiting for the call to become
# tr_n(ONE, OTHER, count). Once it does, delete this exemption and the old "(s)" entry.


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


def name_of(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def texts(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that are UI text: tr_n's two forms, else the first."""
    return call.args[:2] if name_of(call) == PLURAL else call.args[:1]


def literals() -> dict[str, str]:
    """Every literal passed to tr/N_/tr_n, with where it is first used."""
    found: dict[str, str] = {}
    for where, line, call in calls():
        for text in texts(call):
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                found.setdefault(text.value, f"{where}:{line}")
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
        for text in texts(call)
        if isinstance(text, ast.JoinedStr | ast.BinOp)
    ]
    assert built == []


def test_every_plural_names_both_forms_as_literals_with_the_count() -> None:
    odd = [
        f"{where}:{line}"
        for where, line, call in calls()
        if name_of(call) == PLURAL
        and (
            len(call.args) < 3
            or not all(isinstance(t, ast.Constant) and "{count}" in t.value for t in call.args[:2])
        )
    ]
    assert odd == []


def test_spanish_has_no_entry_that_no_code_uses() -> None:
    used = literals()
    orphans = sorted(text for text in ES if text not in used)
    assert not orphans, "no tr()/N_()/tr_n() uses these keys:\n" + "\n".join(map(repr, orphans))


def test_no_ui_text_hedges_a_plural_with_s_in_brackets() -> None:
    """ "1 message", "2 messages": never "message(s)", in English or in Spanish."""
    hedged = [t for t in literals() if "(s)" in t]
    hedged += [es for es in ES.values() if "(s)" in es or "(es)" in es]
    assert hedged == []


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [("en", "1 message", "2 messages"), ("es", "1 mensaje", "2 mensajes")],
)
def test_tr_n_picks_the_form_for_the_count_in_both_languages(lang: str, one: str, two: str) -> None:
    i18n.use(lang)
    assert i18n.tr_n("{count} message", "{count} messages", 1) == one
    assert i18n.tr_n("{count} message", "{count} messages", 2) == two
    assert i18n.tr_n("{count} message", "{count} messages", 0).startswith("0 ")
    assert i18n.tr_n("{count} message", "{count} messages", 0).endswith(two[2:])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["1 message", "2 messages", "1 saved conversation could not be read."]),
        ("es", ["1 mensaje", "2 mensajes", "No se pudo leer 1 conversación guardada."]),
    ],
)
def test_the_conversation_list_counts_in_words_in_both_languages(lang: str, expected: list[str]) -> None:
    one = Conversation("a", "One", 1.0, 1.0, (Message(1, "user", "hi"),))
    two = Conversation("b", "Two", 1.0, 1.0, (Message(1, "user", "hi"), Message(2, "model", "hello")))
    i18n.use(lang)
    html = library(Shelf(conversations=(one, two), damaged=1))
    assert all(f">{text}<" in html for text in expected), html
    assert "(s)" not in html and "(es)" not in html
    plural = library(Shelf(conversations=(one,), damaged=2))
    damaged = "2 saved conversations could not be read." if lang == "en" else "No se pudieron leer 2"
    assert damaged in plural


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
