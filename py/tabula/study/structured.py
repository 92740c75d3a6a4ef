"""The structured features, quiz and mind map: their prompts, the quiz's JSON schema, and strict,
forgiving parsing of what a model returns into checked values. Pure.

Models wrap answers in code fences or chat around them; parsing tolerates that, then validates
everything and raises StructuredError with a message for people, never a raw exception.
Stdlib only: no js, pyodide or pyscript.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tabula.i18n.translate import tr

MAX_TEXT = 200_000  # longer answers are not quizzes or outlines
MAX_DEPTH = 6  # levels in a mind map, the root included
MAX_NODES = 200
MAX_NODE_TEXT = 200
LETTERS = "ABCDEF"
_FENCE = re.compile(r"```[\w+-]*[^\S\n]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_BULLET = re.compile(r"^([ \t]*)(?:[-*+•]|\d{1,3}[.)])[ \t]+(.*)$")
_EMPHASIS = (
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"`+([^`]*)`+"), r"\1"),
)
_SHAPES = (("((", "))"), ("))", "(("), ("{{", "}}"), ("[", "]"), ("(", ")"), (")", "("))
_MERMAID_ID = re.compile(r"[\w-]*")


class StructuredError(ValueError):
    """A model's answer that could not be used; the message is for people."""


@dataclass(frozen=True)
class Question:
    question: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explanation: str = ""


QUIZ_SCHEMA: dict = {
    "type": "ARRAY",
    "items": {
        "type": "OBJECT",
        "properties": {
            "question": {"type": "STRING"},
            "choices": {"type": "ARRAY", "items": {"type": "STRING"}},
            "answer": {"type": "INTEGER", "description": "Index of the correct choice, counting from 0."},
            "explanation": {"type": "STRING"},
        },
        "required": ["question", "choices", "answer", "explanation"],
        "propertyOrdering": ["question", "choices", "answer", "explanation"],
    },
}


def quiz_prompt(topic: str, count: int = 5) -> str:
    """Ask for `count` (1..10) multiple-choice questions about `topic` as nothing but a JSON array."""
    count = min(max(count, 1), 10)
    return (
        f"Write a multiple-choice quiz of {count} questions about the topic below.\n"
        "Reply with ONLY a JSON array: no introduction, no Markdown, no code fence. Each element is:\n"
        '{"question": "...", "choices": ["...", "...", "...", "..."], "answer": 0, "explanation": "..."}\n'
        '- "choices": 4 short options (2 to 6 allowed); exactly one is correct.\n'
        '- "answer": the index of the correct choice, counting from 0.\n'
        '- "explanation": one or two sentences on why that answer is right.\n'
        "Write in the same language as the topic.\n\n"
        f"Topic: {topic.strip()}"
    )


def _unfence(text: str) -> str:
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def _load_json(text: str) -> object:
    """The JSON value in `text`: the whole of it when that is valid JSON (fences inside its strings
    and all); only otherwise the tolerant readings: a fence's content, else the outermost [ … ]."""
    if not isinstance(text, str) or not text.strip():
        raise StructuredError(tr("The answer was empty, so no quiz could be made."))
    if len(text) > MAX_TEXT:
        raise StructuredError(tr("The answer was far too long to be a quiz."))
    whole = text.strip()
    unfenced = _unfence(whole)
    lists = [t[t.find("[") : t.rfind("]") + 1] for t in (unfenced, whole) if 0 <= t.find("[") < t.rfind("]")]
    for candidate in (whole, unfenced, *lists):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            continue
    if not lists:
        raise StructuredError(tr("The answer was not a quiz: it had no list of questions in JSON."))
    raise StructuredError(tr("The quiz could not be read: its JSON is broken."))


def _text(value: object, what: str, limit: int, optional: bool = False) -> str:
    """`value` as checked text; `what` names it in messages ("Question 2's text")."""
    if value is None and optional:
        return ""
    if not isinstance(value, str) or (not value.strip() and not optional):
        raise StructuredError(tr("{what} must be some text.", what=what))
    if len(value.strip()) > limit:
        raise StructuredError(
            tr("{what} is too long (more than {limit} characters).", what=what, limit=limit)
        )
    return value.strip()


def _answer(value: object, choices: tuple[str, ...], number: int) -> int:
    """The answer as an index: a number, a choice's own text, or a letter A, B, C…"""
    if isinstance(value, str):
        said = value.strip()
        folded = [c.casefold() for c in choices]
        if said.casefold() in folded:
            return folded.index(said.casefold())
        letter = said.rstrip(".):").upper()
        if len(letter) == 1 and letter in LETTERS[: len(choices)]:
            return LETTERS.index(letter)
        if said.isdigit():
            value = int(said)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(choices):
        return value
    raise StructuredError(
        tr(
            "Question {number}: the answer must be the number of one of its {count} choices.",
            number=number,
            count=len(choices),
        )
    )


def _question(item: object, number: int) -> Question:
    if not isinstance(item, dict):
        raise StructuredError(tr("Question {number} is not a question with choices.", number=number))
    question = _text(item.get("question"), tr("Question {number}'s text", number=number), 500)
    choices = item.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
        raise StructuredError(tr("Question {number} must have 2 to 6 choices.", number=number))
    texts = tuple(
        _text(c, tr("Question {number}, choice {choice},", number=number, choice=i + 1), 200)
        for i, c in enumerate(choices)
    )
    answer = _answer(item.get("answer"), texts, number)
    what = tr("Question {number}'s explanation", number=number)
    explanation = _text(item.get("explanation"), what, 1000, optional=True)
    return Question(question, texts, answer, explanation)


def parse_quiz(text: str) -> tuple[Question, ...]:
    """The questions in a model's answer, checked; StructuredError says what is wrong."""
    value = _load_json(text)
    if not isinstance(value, list):
        raise StructuredError(tr("The answer was not a quiz: expected a list of questions."))
    if not 1 <= len(value) <= 10:
        raise StructuredError(tr("A quiz needs 1 to 10 questions; the answer had {count}.", count=len(value)))
    return tuple(_question(item, n) for n, item in enumerate(value, 1))


@dataclass(frozen=True)
class Node:
    text: str
    children: tuple[Node, ...] = ()


@dataclass
class _Draft:
    text: str
    indent: int
    children: list[_Draft] = field(default_factory=list)


def mindmap_prompt(topic: str) -> str:
    """Ask for a mind map of `topic` as a nested Markdown bullet list with the topic as its root."""
    return (
        "Make a mind map of the topic below as a nested Markdown bullet list.\n"
        "The first line is the topic itself as the only top-level bullet; everything else is indented "
        "under it, two spaces per level, like this:\n"
        "- Topic\n  - Main idea\n    - Detail\n"
        "Use 4 to 7 main ideas with 2 to 4 details each, at most 4 levels, and a few words per item.\n"
        "Reply with ONLY the list: no introduction, no code fence. "
        "Write in the same language as the topic.\n\n"
        f"Topic: {topic.strip()}"
    )


def _clean(text: str) -> str:
    """Node text without Markdown emphasis, links, extra spaces or a trailing colon."""
    for pattern, repl in _EMPHASIS:
        text = pattern.sub(repl, text)
    text = " ".join(text.split()).rstrip(":").strip()
    return text if len(text) <= MAX_NODE_TEXT else text[: MAX_NODE_TEXT - 1].rstrip() + "…"


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _markdown_items(lines: list[str]) -> list[tuple[int, str]]:
    """(indent, text) per outline line; headings sit above every bullet, by their level."""
    items = []
    for line in lines:
        if heading := _HEADING.match(line):
            items.append((len(heading.group(1)) - 100, heading.group(2)))
        elif bold := _BOLD_LINE.match(line):
            items.append((-94, bold.group(1)))  # a bold line alone is a heading of the lowest level
        elif bullet := _BULLET.match(line):
            items.append((_width(bullet.group(1)), bullet.group(2)))
    return items  # other lines (an introduction, a closing remark) are not part of the outline


def _unshape(text: str) -> str:
    """A Mermaid node's text: root((Topic)), id[x], (x), {{x}}, ))x(( and the like become the text."""
    text = re.sub(r"\s*:::.*$", "", text.strip())
    for opening, closing in _SHAPES:
        at = text.find(opening)
        inner = text[at + len(opening) : len(text) - len(closing)] if at >= 0 else ""
        if at >= 0 and text.endswith(closing) and inner and _MERMAID_ID.fullmatch(text[:at]):
            text = inner
            break
    return text.strip().strip("\"'`").strip()


def _mermaid_items(lines: list[str]) -> list[tuple[int, str]]:
    items = []
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith(("::", "%%")):
            items.append((_width(line[: len(line) - len(line.lstrip())]), _unshape(stripped)))
    return items


def _tree(items: list[tuple[int, str]]) -> list[_Draft]:
    """Top-level drafts from (indent, text) items: deeper indents nest under the nearest shallower item."""
    top: list[_Draft] = []
    stack: list[_Draft] = []
    for indent, raw in items:
        text = _clean(raw)
        if not text:
            continue
        while stack and stack[-1].indent >= indent:
            stack.pop()
        draft = _Draft(text, indent)
        (stack[-1].children if stack else top).append(draft)
        stack.append(draft)
    return top


def _freeze(draft: _Draft, depth: int, budget: list[int]) -> Node:
    """The draft as a Node, in document order, keeping MAX_DEPTH levels and the node budget."""
    budget[0] -= 1
    children = []
    for child in draft.children if depth < MAX_DEPTH else ():
        if budget[0] <= 0:
            break
        children.append(_freeze(child, depth + 1, budget))
    return Node(draft.text, tuple(children))


def parse_outline(text: str) -> Node:
    """A mind map from a Markdown bullet outline or Mermaid mindmap syntax; StructuredError if none."""
    if not isinstance(text, str) or not text.strip():
        raise StructuredError(tr("The answer was empty, so no mind map could be made."))
    if len(text) > MAX_TEXT:
        raise StructuredError(tr("The answer was far too long to be a mind map."))
    lines = _unfence(text).splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    mermaid = bool(lines) and lines[0].strip().lower() == "mindmap"
    top = _tree(_mermaid_items(lines[1:]) if mermaid else _markdown_items(lines))
    root = top[0] if len(top) == 1 else _Draft(tr("Mind map"), -1000, top)
    if not root.children:
        raise StructuredError(tr("The answer had no outline with branches to draw a mind map from."))
    return _freeze(root, 1, [MAX_NODES])
