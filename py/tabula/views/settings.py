"""The settings page: generation settings form (skeleton) and its status (a region)."""

from __future__ import annotations

from tabula.cloud import mask
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
    skeleton = (
        f'<h1>Settings</h1><div id="settings-status" aria-live="polite"></div>{form}{engine}'
        '<h2>Cloud engine (optional)</h2><div id="cloud-form"></div>'
        '<div id="cloud-status" aria-live="polite"></div>'
    )
    regions = {
        "settings-status": status(state),
        "cloud-form": cloud_form(state),
        "cloud-status": cloud_status(state),
    }
    return "Settings", skeleton, regions


def cloud_form(state: State) -> str:
    """The user's own Gemini API key (masked, removable), private mode, the cloud model."""
    c = state.cloud
    saved = (
        f"Saved key: {esc(mask(c.key))}. Leave empty to keep it." if c.has_key else "No key on this device."
    )
    private_hint = "On: nothing is ever sent to the cloud." if c.has_key else "On until you add a key."
    disabled = "" if c.has_key else " disabled"
    remove = '<button type="button" data-action="remove-key">Remove key</button>' if c.has_key else ""
    return (
        "<p>Chat runs on this device. With your own Gemini API key, Tabula can also use Google's cloud "
        "for quizzes and mind maps (and for chat when no model is downloaded). Each answer says where it came from.</p>"
        '<form class="settings cloud" data-action="save-cloud" novalidate>'
        '<div class="field wide"><label for="api_key">Gemini API key</label>'
        '<input id="api_key" name="api_key" type="password" autocomplete="off" spellcheck="false" '
        f'aria-describedby="api_key-hint"><small id="api_key-hint">{saved} Kept only on this device.</small></div>'
        f'<div class="field wide check"><label><input type="checkbox" name="private"{" checked" if c.private else ""}{disabled}> '
        f"Private mode</label><small>{esc(private_hint)}</small></div>"
        '<div class="field"><label for="cloud_model">Cloud model</label>'
        f'<input id="cloud_model" name="cloud_model" type="text" value="{esc(c.model)}" spellcheck="false"></div>'
        f'<div class="field wide check"><label><input type="checkbox" name="local_structured"{" checked" if c.local_structured else ""}> '
        "Make quizzes and mind maps on this device when the cloud is off (may be unreliable)</label></div>"
        '<div class="buttons"><button type="submit" class="primary" name="op" value="save">Save cloud settings</button>'
        f'<button type="submit" name="op" value="test">Test key</button>{remove}</div></form>'
    )


def cloud_status(state: State) -> str:
    kind, text = state.cloud_notice
    if not text:
        return ""
    role = "alert" if kind == "error" else "status"
    return f'<p class="notice {esc(kind)}" role="{role}">{esc(text)}</p>'


def status(state: State) -> str:
    if state.settings_errors:
        items = "".join(f"<li>{esc(message)}</li>" for _name, message in state.settings_errors)
        return f'<div class="error" role="alert"><p>Not saved:</p><ul>{items}</ul></div>'
    if state.settings_notice:
        return f'<p class="notice" role="status">{esc(state.settings_notice)}</p>'
    return ""
