"""Generation settings: defaults, validation of what the user typed, and persistence. Pure.

A system prompt is refused up front when it cannot fit: when, by a rough count (a token per 4
characters, as English runs), it alone would take all that a prompt has once the answer's share
of the context is set aside. Anything shorter is measured again at send time with the engine's
own tokenizer, exactly, and cut to fit with a sentence where it must be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from tabula.core.ports import KeyValueStore
from tabula.i18n.translate import tr

KEY = "tabula.settings"
MIN_TOKENS = 64
DEFAULT_SYSTEM = "You are Tabula, a helpful assistant. Answer clearly and briefly."
CHARS_PER_TOKEN = 4  # as English runs (Spanish or French fewer: send time measures exactly)


def reserve_for(max_tokens: int) -> int:
    """Tokens kept free for the answer: a quarter of the context, at least 32."""
    return max(32, max_tokens // 4)


def system_room(max_tokens: int) -> int:
    """The tokens a prompt has (the system prompt, the history, the question)."""
    return max_tokens - reserve_for(max_tokens)


def _system_error(system: str, max_tokens: int) -> str:
    """Why `system` is too long for `max_tokens` (the context the model gets), or ""."""
    if len(system) > 4000:
        return tr("The system prompt must be at most 4000 characters.")
    about, room = -(-len(system) // CHARS_PER_TOKEN), system_room(max_tokens)
    if about <= room:
        return ""
    return tr(
        "This system prompt is too long for {tokens} max tokens: it takes about {about} tokens, "
        "more than the {room} a question and its history have. Shorten it, or raise Max tokens.",
        tokens=max_tokens, about=about, room=room,
    )  # fmt: skip


@dataclass(frozen=True)
class Settings:
    temperature: float = 0.8
    top_k: int = 40
    max_tokens: int = 1024
    seed: int = 0
    system_prompt: str = DEFAULT_SYSTEM

    def engine_options(self, limit: int | None) -> dict[str, float | int]:
        """The options MediaPipe takes, with maxTokens capped at the model's limit."""
        tokens = min(self.max_tokens, limit) if limit else self.max_tokens
        return {
            "temperature": self.temperature,
            "topK": self.top_k,
            "maxTokens": tokens,
            "randomSeed": self.seed,
        }


def _number(raw: str, kind: type, low: float, high: float, label: str) -> tuple[float | int | None, str]:
    try:
        value = kind(raw.strip())
    except ValueError:
        if kind is int:
            return None, tr("{label} must be a whole number.", label=label)
        return None, tr("{label} must be a number.", label=label)
    if not low <= value <= high:
        return None, tr(
            "{label} must be between {low} and {high}.", label=label, low=f"{low:g}", high=f"{high:g}"
        )
    return value, ""


def validate(form: Mapping[str, str], limit: int | None) -> tuple[Settings | None, dict[str, str]]:
    """Settings from form fields, or None and {field: message} for every bad field."""
    high = limit or 8192
    checks = {
        "temperature": _number(form.get("temperature", ""), float, 0.0, 2.0, tr("Temperature")),
        "top_k": _number(form.get("top_k", ""), int, 1, 100, tr("Top-k")),
        "max_tokens": _number(form.get("max_tokens", ""), int, MIN_TOKENS, high, tr("Max tokens")),
        "seed": _number(form.get("seed", ""), int, 0, 2**31 - 1, tr("Random seed")),
    }
    errors = {name: message for name, (_value, message) in checks.items() if message}
    system = form.get("system_prompt", "").strip()
    tokens = checks["max_tokens"][0]
    context = min(int(tokens), limit) if tokens is not None and limit else int(tokens or high)
    if trouble := _system_error(system, context):
        errors["system_prompt"] = trouble
    if errors:
        return None, errors
    values = {name: value for name, (value, _message) in checks.items()}
    return Settings(**values, system_prompt=system), {}  # type: ignore[arg-type]


def load(store: KeyValueStore) -> Settings:
    """Saved settings; anything missing or damaged falls back to the default."""
    try:
        saved = json.loads(store.get(KEY) or "{}")
    except ValueError:
        return Settings()
    if not isinstance(saved, dict):
        return Settings()
    settings, known = Settings(), {f.name: f.type for f in fields(Settings)}
    for name, value in saved.items():
        if name in known and type(value).__name__ == known[name]:
            settings = replace(settings, **{name: value})
    return settings


def save(store: KeyValueStore, settings: Settings) -> None:
    store.set(KEY, json.dumps(asdict(settings), sort_keys=True))
