"""UI text in English and Spanish from one catalogue (gettext style: the English text is the key).

Every string the UI shows goes through `tr("English text", name=value)`. The Spanish catalogue
lives in `tabula.i18n.es`; a unit test checks that every literal passed to `tr` has an entry there,
so a new string cannot ship untranslated. Counted text goes through `tr_n("{count} message",
"{count} messages", count)` (ngettext style): both forms are catalogue keys, and English and
Spanish share one rule (the one form for exactly 1, the other for every other count), so no
text ever says "message(s)". The language follows the browser until the user picks
one in Settings. Pure: the painter calls `use(state.lang)` before it renders.
"""

from __future__ import annotations

from collections.abc import Iterable

from tabula.i18n.es import ES

LANGUAGES = {"en": "English", "es": "Español"}
CATALOGUES: dict[str, dict[str, str]] = {"en": {}, "es": ES}
_current = ["en"]


def use(lang: str) -> None:
    """Make `lang` the language `tr` answers in (unknown codes mean English)."""
    _current[0] = lang if lang in LANGUAGES else "en"


def current() -> str:
    return _current[0]


def tr(text: str, **values: object) -> str:
    """`text` in the current language, with `{name}` fields filled from `values`."""
    translated = CATALOGUES[_current[0]].get(text, text)
    return translated.format(**values) if values else translated


def tr_n(one: str, other: str, count: int, **values: object) -> str:
    """`one` or `other` for `count` (the one form only for exactly 1, as English and Spanish
    agree), in the current language, with `{count}` and the other `{name}` fields filled."""
    return tr(one if count == 1 else other, count=count, **values)


def N_(text: str) -> str:
    """Mark `text` for translation where it is defined (a table of labels); `tr(value)` translates
    it where it is shown. The catalogue test counts `N_("literal")` like `tr("literal")`."""
    return text


def from_browser(preferred: Iterable[str]) -> str:
    """The first supported language among the browser's (e.g. "es-MX" → "es"), else English."""
    for tag in preferred:
        base = tag.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"
