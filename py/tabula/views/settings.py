"""The settings page: generation settings form (skeleton) and its status (a region)."""

from __future__ import annotations

from tabula.settings import MIN_TOKENS
from tabula.store import State
from tabula.views.html import esc


def field(name: str, label: str, value: object, attrs: str, hint: str = "") -> str:
    hint_html = f'<small id="{name}-hint">{esc(hint)}</small>' if hint else ""
    described = f' aria-describedby="{name}-hint"' if hint else ""
    return (
        f'<div class="field"><label for="{name}">{esc(label)}</label>'
        f'<input id="{name}" name="{name}" type="number" value="{esc(value)}" {attrs}{described}>'
        f"{hint_html}</div>"
    )


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/settings."""
    s, limit = state.settings, state.model_limit
    top = limit or 8192
    limit_hint = f"This model accepts up to {limit} (prompt + answer)." if limit else "Prompt + answer."
    fields = (
        field("temperature", "Temperature", s.temperature, 'min="0" max="2" step="0.05" inputmode="decimal"',
              "0 is focused and repeatable, 2 is adventurous.")
        + field("top_k", "Top-k", s.top_k, 'min="1" max="100" step="1" inputmode="numeric"')
        + field("max_tokens", "Max tokens", min(s.max_tokens, top), f'min="{MIN_TOKENS}" max="{top}" step="1"', limit_hint)
        + field("seed", "Random seed", s.seed, 'min="0" step="1" inputmode="numeric"')
        + '<div class="field wide"><label for="system_prompt">System prompt</label>'
        f'<textarea id="system_prompt" name="system_prompt" rows="3">{esc(s.system_prompt)}</textarea></div>'
    )  # fmt: skip
    form = (
        f'<form class="settings" data-action="save-settings" novalidate>{fields}'
        '<div class="buttons"><button type="submit" class="primary">Save</button>'
        '<button type="button" data-action="reset-settings">Restore defaults</button></div></form>'
    )
    engine = (
        "<h2>Engine</h2><p>If answers stop coming, restart the engine. Your chat is kept.</p>"
        '<button type="button" data-action="restart-engine">Restart engine</button>'
    )
    skeleton = f'<h1>Settings</h1><div id="settings-status" aria-live="polite"></div>{form}{engine}'
    return "Settings", skeleton, {"settings-status": status(state)}


def status(state: State) -> str:
    if state.settings_errors:
        items = "".join(f"<li>{esc(message)}</li>" for _name, message in state.settings_errors)
        return f'<div class="error" role="alert"><p>Not saved:</p><ul>{items}</ul></div>'
    if state.settings_notice:
        return f'<p class="notice" role="status">{esc(state.settings_notice)}</p>'
    return ""
