"""Chat templates per model family (as data), thinking-strip, and context trimming. Pure.

MediaPipe on the web applies no template, so the app renders the whole conversation itself.
Its tokenizer reads control tokens out of the prompt text, so every text that goes into a
template (user turns, earlier answers, the system prompt, imported conversations) is first
neutralized: a zero-width joiner after the `<` of anything spelled like a control token
(`<end_of_turn>`, `<|turn>`, `<turn|>`, `<|think|>`…) leaves the same characters for the model
to read but never the token, so nobody can forge a turn.
Gemma 4 takes photos and audio clips: the asked message's stand in its user turn as Gemma 4's
placeholder tokens (`<|image|>`, `<|audio|>`), put there by the template, never by its text
(neutralized as any other); the engine expands each to the attachment's tokens.
`maxTokens` counts prompt + answer: `fit()` keeps the system prompt and the newest turns that
fit `max_tokens - reserve`, measuring with the engine's tokenizer through a `count` callback:
the whole prompt once, each dropped turn once, and the kept prompt to make sure.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tabula.engine.errors import EngineError, Problem


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "model"
    text: str
    attachments: tuple = ()  # the message's photos and audio clips (objects with .kind and .id)


def turn(message: object) -> Turn:
    """The turn a chat message is (its `attachments`, where it has them: issue #25)."""
    role, text = str(getattr(message, "role")), str(getattr(message, "text"))  # noqa: B009
    return Turn(role, text, tuple(getattr(message, "attachments", ()) or ()))


@dataclass(frozen=True)
class Template:
    """How one family spells a conversation. `system` None: fold it into the first user turn."""

    user: str
    model: str
    answer_start: str
    system: str | None = None
    separator: str = ""
    image: str = ""  # the placeholder a photo is in the user turn ("": the family reads text only)
    audio: str = ""  # the same for an audio clip


TEMPLATES = {
    "gemma3": Template(
        user="<start_of_turn>user\n{text}<end_of_turn>\n",
        model="<start_of_turn>model\n{text}<end_of_turn>\n",
        answer_start="<start_of_turn>model\n",
    ),
    "gemma4": Template(
        system="<|turn>system\n{text}<turn|>\n",
        user="<|turn>user\n{text}<turn|>\n",
        model="<|turn>model\n{text}<turn|>\n",
        answer_start="<|turn>model\n",
        image="<|image|>",  # Gemma 4's chat template: each photo's and clip's token, then the text
        audio="<|audio|>",
    ),
    # Other families, recognised from a GGUF's own chat template (models/gguf.py family_of).
    "chatml": Template(
        system="<|im_start|>system\n{text}<|im_end|>\n",
        user="<|im_start|>user\n{text}<|im_end|>\n",
        model="<|im_start|>assistant\n{text}<|im_end|>\n",
        answer_start="<|im_start|>assistant\n",
    ),
    "llama3": Template(
        system="<|start_header_id|>system<|end_header_id|>\n\n{text}<|eot_id|>",
        user="<|start_header_id|>user<|end_header_id|>\n\n{text}<|eot_id|>",
        model="<|start_header_id|>assistant<|end_header_id|>\n\n{text}<|eot_id|>",
        answer_start="<|start_header_id|>assistant<|end_header_id|>\n\n",
    ),
    "phi3": Template(
        system="<|system|>\n{text}<|end|>\n",
        user="<|user|>\n{text}<|end|>\n",
        model="<|assistant|>\n{text}<|end|>\n",
        answer_start="<|assistant|>\n",
    ),
    "mistral": Template(user="[INST] {text} [/INST]", model="{text}</s>", answer_start=""),
    # Base (not chat-tuned) models: plain text the model simply continues.
    "completion": Template(user="{text}", model="{text}", answer_start="", system="{text}", separator="\n\n"),
}
ZWJ = "\u200d"
# `<` opening Gemma 4's `<|name>`, `<name|>`, `<|name|>` (any name) or Gemma 3's named tokens.
CONTROL = re.compile(
    r"<(?=\|[^<>\s]{1,40}>|[^<>\s|\u200d]{1,40}\|>|/?(?:start_of_turn|end_of_turn|start_of_image|"
    r"end_of_image|image_soft_token|bos|eos|pad|unk|mask|unused\d{1,3}|s)>)",
    re.IGNORECASE,
)
INST = re.compile(r"\[(?=/?INST\])")  # Mistral's turn markers
THOUGHT = re.compile(r"<\|channel>thought.*?(<channel\|>|$)", re.DOTALL)


def template_for(family: str) -> Template:
    return TEMPLATES.get(family, TEMPLATES["completion"])


def neutralize(text: str) -> str:
    """`text` with every control-token look-alike broken by a zero-width joiner after its `<`
    (idempotent: a broken one is not matched again)."""
    return INST.sub("[" + ZWJ, CONTROL.sub("<" + ZWJ, text))


def render(template: Template, system: str, turns: Sequence[Turn], prefix: str = "") -> str:
    """The prompt for `turns` (ending with the user's new message), ready for the answer (which
    starts with `prefix`: the part already written, when it is continued); every text in it
    neutralized, so only the template's own markers are control tokens."""
    system = neutralize(system)
    parts = []
    if system and template.system is not None:
        parts.append(template.system.format(text=system))
    asked = max((i for i, t in enumerate(turns) if t.role == "user"), default=-1)
    for index, turn in enumerate(turns):
        text = neutralize(turn.text)
        if index == 0 and system and template.system is None and turn.role == "user":
            text = f"{system}\n\n{text}"
        if index == asked:
            text = placeholders(template, turn.attachments) + text
        parts.append((template.user if turn.role == "user" else template.model).format(text=text))
    return template.separator.join(parts) + template.answer_start + neutralize(prefix)


def placeholders(template: Template, attachments: Sequence[object]) -> str:
    """The tokens the asked message's photos and audio clips stand at, in their order (the
    engine is given those attachments, and only those: an earlier turn's are not sent again).
    Nothing for a family that reads text only."""
    marks = {"image": template.image, "audio": template.audio}
    return "".join(marks.get(str(getattr(a, "kind", "")), "") for a in attachments)


def visible(text: str) -> str:
    """What to show of a model's output: Gemma 4 thinking (even unfinished) removed."""
    return THOUGHT.sub("", text).lstrip("\n") if "<|channel>" in text else text


@dataclass(frozen=True)
class Fitted:
    prompt: str
    tokens: int | None  # None: not counted, it surely fits
    dropped: int  # older turns left out
    system_cut: bool = False  # only the beginning of the system prompt fits
    prefix_cut: bool = False  # only the end of the answer being continued fits


ADDED_TOKENS = 4  # what a tokenizer adds beyond the text's own (BOS, a dummy prefix), with room


def surely_fits(prompt: str, budget: int) -> bool:
    """True when `prompt` fits `budget` tokens whatever the tokenizer: every token of Gemma's
    (SentencePiece with byte fallback, as llama.cpp's and MediaPipe's) covers at least one UTF-8
    byte, a special token such as <start_of_turn> many, so a text never has more tokens than
    bytes, plus the few the tokenizer adds."""
    return len(prompt.encode()) + ADDED_TOKENS <= budget


async def fit(
    template: Template,
    system: str,
    turns: Sequence[Turn],
    budget: int,
    count: Callable[[str], Awaitable[int]],
    prefix: str = "",
) -> Fitted:
    """The newest turns (whole user/model pairs dropped oldest first) that fit `budget` tokens,
    with the answer's `prefix` (see `render`) at the end.

    A prompt that surely fits (see `surely_fits`) is not counted: asking the tokenizer costs
    MediaPipe ~0.1 s before the first token on a slow device. When the new message alone does
    not fit, the system prompt is cut to its beginning and a continued answer to its end, so a
    long system prompt never fails every message; raises EngineError(PROMPT_TOO_LONG) when even
    the new message alone, with neither, does not fit.
    """
    prompt, start = render(template, system, turns, prefix), 0
    if surely_fits(prompt, budget):
        return Fitted(prompt, None, dropped=0)
    tokens = await count(prompt)
    while tokens > budget:
        if len(turns) - start <= 1:
            return await _shorten(template, system, turns[start:], budget, count, prefix, start)
        start = await _drop(template, turns, start, tokens - budget, count)
        prompt = render(template, system, turns[start:], prefix)
        tokens = await count(prompt)
    return Fitted(prompt, tokens, dropped=start)


async def _shorten(
    template: Template, system: str, turns: Sequence[Turn], budget: int, count: Callable[[str], Awaitable[int]],
    prefix: str, dropped: int,
) -> Fitted:  # fmt: skip
    """The last turn alone with as much of the system prompt's beginning as fits, then as much of
    the continued answer's end; PROMPT_TOO_LONG when the turn alone does not fit."""
    bare = await count(render(template, "", turns))
    if bare > budget:
        raise EngineError(Problem.PROMPT_TOO_LONG, f"{bare} tokens > budget {budget}")
    kept = await _longest(system, False, budget, count, lambda part: render(template, part, turns))
    tail = await _longest(prefix, True, budget, count, lambda part: render(template, kept, turns, part))
    prompt = render(template, kept, turns, tail)
    return Fitted(prompt, await count(prompt), dropped, kept != system, tail != prefix)


async def _longest(
    text: str, tail: bool, budget: int, count: Callable[[str], Awaitable[int]], spell: Callable[[str], str]
) -> str:
    """The longest beginning (or end, `tail`) of `text` whose prompt `spell(part)` fits `budget`,
    found by shrinking it in proportion to the excess (a few counts, never one per character)."""
    size, tokens = len(text), await count(spell(text))
    rest = await count(spell("")) if tokens > budget and text else 0  # what the text's share must leave
    while tokens > budget and size > 0:
        size = min(int(size * (budget - rest) / max(1, tokens - rest) * 0.95), size - 1)
        tokens = await count(spell(_part(text, size, tail)))
    return _part(text, size, tail)


def _part(text: str, size: int, tail: bool) -> str:
    if size <= 0:
        return ""
    return text[-size:] if tail else text[:size]


async def _drop(
    template: Template, turns: Sequence[Turn], start: int, excess: int, count: Callable[[str], Awaitable[int]]
) -> int:
    """Where the kept turns start once the oldest (whole user/model pairs) are dropped whose own
    tokens cover `excess`: each dropped turn is counted once, never the whole prompt again."""
    freed = 0
    while freed < excess and len(turns) - start > 1:
        step = 2 if len(turns) - start > 2 and turns[start].role == "user" else 1
        for turn in turns[start : start + step]:
            spelled = template.user if turn.role == "user" else template.model
            freed += await count(spelled.format(text=neutralize(turn.text)) + template.separator)
        start += step
    return start
