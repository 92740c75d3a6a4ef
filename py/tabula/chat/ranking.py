"""Which parts of a document answer a question best: Okapi BM25 over accent-folded words, with
stop words per language (English, Spanish, French, Portuguese; the document's language is the
one whose stop words it uses most). Pure; imports only chat/stopwords.py.

A small implementation of our own, not a PyPI package: the well-kept ones (rank-bm25, bm25s) need
numpy (and bm25s scipy), which Tabula does not ship to the browser (about 8 MB more to download
and start for a few dozen lines of arithmetic), and we rank at most a few thousand parts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from tabula.chat.stopwords import BY_LANGUAGE

K1 = 1.5  # how quickly a repeated word stops adding to a part's score
B = 0.75  # how much a long part is discounted
_WORD = re.compile(r"\w+")
_SAMPLE = 4000  # words of a text read to guess its language


def fold(text: str) -> str:
    """Lower-case, accents removed: "Qué DOSIS" -> "que dosis"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language(text: str) -> str:
    """ "en", "es", "fr" or "pt": the language whose stop words the text uses most."""
    words = _WORD.findall(fold(text))[:_SAMPLE]
    return max(BY_LANGUAGE, key=lambda lang: (sum(w in BY_LANGUAGE[lang] for w in words), lang == "en"))


def stem(word: str) -> str:
    """A light stem that the four languages share: plural -s/-es dropped from longer words."""
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str, lang: str) -> list[str]:
    """The words that count for ranking, folded and stemmed, stop words left out."""
    stop = BY_LANGUAGE[lang]
    return [stem(w) for w in _WORD.findall(fold(text)) if w not in stop and (len(w) > 1 or w.isdigit())]


class BM25:
    """Okapi BM25 over a fixed list of texts (Lucene's non-negative idf)."""

    def __init__(self, texts: list[str], lang: str) -> None:
        self.lang = lang
        self.docs = [Counter(terms(t, lang)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / max(1, len(self.docs)) or 1.0
        frequency = Counter(word for d in self.docs for word in d)
        count = len(self.docs)
        self.idf = {w: math.log(1 + (count - n + 0.5) / (n + 0.5)) for w, n in frequency.items()}

    def scores(self, question: str) -> list[float]:
        wanted = set(terms(question, self.lang))
        return [self._score(d, length, wanted) for d, length in zip(self.docs, self.lengths, strict=True)]

    def _score(self, doc: Counter, length: int, wanted: set[str]) -> float:
        total = 0.0
        for word in wanted & doc.keys():
            tf = doc[word]
            total += self.idf[word] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average))
        return total


def scored(texts: list[str], question: str) -> list[tuple[int, float]]:
    """(index, score) of each of `texts`, best answer to `question` first (document order on ties)."""
    index = BM25(texts, language(" ".join(texts[:50]) + " " + question))
    scores = index.scores(question)
    return sorted(((i, s) for i, s in enumerate(scores)), key=lambda pair: (-pair[1], pair[0]))


def rank(texts: list[str], question: str) -> list[int]:
    """Indexes of `texts`, best answer to `question` first."""
    return [i for i, _score in scored(texts, question)]
