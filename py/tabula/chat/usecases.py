"""What the empty chat offers: summarize a note, a step-by-step tutor, rewrite or translate, read a
photo or a voice note (sent with the composer's attachments, issue #25) (and
ask about a document: chat/retrieval.py). Turns what the user gave into the message to send. Pure.

A small on-device model has a small context (maxTokens counts the prompt and the answer), so a
long text is cut into parts that fit, at paragraph or sentence ends (split(), which
chat/retrieval.py also uses to cut a document into passages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tabula.i18n.translate import tr

SAMPLE_CHARS = 4000  # the sample of a text whose tokens are counted to size its parts
SAFETY = 0.85  # parts are sized a little under the measured fit
PROMPT_ALLOWANCE = 48  # tokens for a use case's own instructions around the text
MIN_PART = 40  # characters: a part is never cut smaller than this
CLOUD_CHARS = 30_000  # a part's size when the cloud engine answers (its context is large)
MAX_INPUT_CHARS = 2_000_000  # a pasted or opened text longer than this is refused
TUTOR_PROMPT = (
    "You are a patient tutor. Do not give the final answer straight away. Explain one small step "
    "at a time, ask the learner a short question after each step, and wait for their answer. "
    "Praise what is right, gently correct what is wrong, and use simple words and examples."
)
REWRITES = {
    "simpler": "Rewrite this text in simpler words, for a reader aged about 12:",
    "formal": "Rewrite this text in a more formal, polite style:",
    "shorter": "Rewrite this text so it is about half as long, keeping every important point:",
    "fix": "Correct the spelling and grammar of this text. Change nothing else:",
    "to-en": "Translate this text into English:",
    "to-es": "Translate this text into Spanish:",
    "to-fr": "Translate this text into French:",
    "to-pt": "Translate this text into Portuguese:",
}
_WORD = re.compile(r"\w{3,}")


@dataclass(frozen=True)
class Part:
    number: int  # 1-based
    of: int
    start: int  # character offsets in the original text
    end: int
    text: str


def part_chars(budget: int, chars_per_token: float) -> int:
    """A first guess at how many characters of a text fit in `budget` tokens of message,
    leaving room for the instructions; `chars_per_token` is measured on the text."""
    return max(MIN_PART, int((budget - PROMPT_ALLOWANCE) * chars_per_token * SAFETY))


def split(text: str, size: int) -> list[Part]:
    """`text` cut into parts of at most `size` characters, at paragraph, line or sentence ends."""
    pieces, start = [], 0
    while start < len(text):
        end = _cut(text, start, size)
        pieces.append((start, end))
        start = end
    parts = [(s, e) for s, e in pieces if text[s:e].strip()]
    return [Part(i + 1, len(parts), s, e, text[s:e].strip()) for i, (s, e) in enumerate(parts)]


def _cut(text: str, start: int, size: int) -> int:
    """Where the part starting at `start` should end."""
    limit = start + size
    if limit >= len(text):
        return len(text)
    window = text[start:limit]
    for mark in ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " "):
        at = window.rfind(mark)
        if at > size // 3:
            return start + at + len(mark)
    return limit


def best_part(parts: list[Part], question: str) -> Part:
    """The part sharing the most (distinct, 3+ letter) words with the question; the first on ties.
    The old way to pick a part, kept as the baseline chat/ranking.py's BM25 is measured against
    (tests/unit/test_ranking.py)."""
    wanted = {w.lower() for w in _WORD.findall(question)}
    return max(parts, key=lambda p: (len(wanted & {w.lower() for w in _WORD.findall(p.text)}), -p.number))


def _checked(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValueError(tr("Paste some text or open a .txt or .md file first."))
    if len(text) > MAX_INPUT_CHARS:
        raise ValueError(tr("This text is too long (over 2 million characters)."))
    return text


def summarize(text: str, size: int) -> str:
    """The message asking for a summary (of the first part, saying so, when the note is long)."""
    parts = split(_checked(text), size)
    if len(parts) == 1:
        return f"Summarize this note in a few short bullet points:\n\n{parts[0].text}"
    first = parts[0]
    return (
        f"Summarize this note in a few short bullet points. (It is long: this is part 1 of "
        f"{first.of}, characters 1–{first.end}.)\n\n{first.text}"
    )


def rewrite(text: str, how: str, size: int) -> str:
    """The message asking to rewrite or translate `text` (its first part if it is long)."""
    instruction = REWRITES.get(how)
    if instruction is None:
        raise ValueError(tr("Choose how to rewrite the text."))
    parts = split(_checked(text), size)
    extra = f" (Part 1 of {parts[0].of}.)" if len(parts) > 1 else ""
    return f"{instruction}{extra}\n\n{parts[0].text}"


def tutor_opening(topic: str) -> str:
    topic = topic.strip()
    if not topic:
        raise ValueError(tr("Write what you want to understand."))
    return f"Help me understand, step by step: {topic}"


def system_prompt(mode: str, default: str) -> str:
    """The system prompt for a conversation in `mode` ("tutor" has its own)."""
    return TUTOR_PROMPT if mode == "tutor" else default


def read_photo(question: str) -> str:
    """The message sent with a photo of a page, a form or a label: transcribe, then answer."""
    question = question.strip()
    if question:
        return tr(
            "Read this photo: first write out the text in it exactly, then answer: {question}",
            question=question,
        )
    return tr("Read this photo: first write out the text in it exactly, then explain briefly what it says.")


def voice_note(how: str) -> str:
    """The message sent with a voice note: transcribe, then summarize it or answer it."""
    if how == "answer":
        return tr("Write out this voice note word for word, then answer what it asks.")
    return tr("Write out this voice note word for word, then summarize it in a few short bullet points.")
