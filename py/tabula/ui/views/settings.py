"""The settings page: generation settings form (skeleton) and its status, the cloud engine and
the appearance and language form (regions)."""

from __future__ import annotations

from tabula.cloud.wire import mask
from tabula.core.state import State
from tabula.i18n.translate import LANGUAGES, N_, tr
from tabula.prefs.generation import MIN_TOKENS
from tabula.ui.views.html import esc

THEMES = (("system", N_("System")), ("light", N_("Light")), ("dark", N_("Dark")))


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
    engine = (
        f"<h2>{esc(tr('Engine'))}</h2><p>{esc(tr('If answers stop coming, restart the engine. Your chat is kept.'))}</p>"
        f'<button type="button" data-action="restart-engine">{esc(tr("Restart engine"))}</button>'
    )
    skeleton = (
        f'<h1>{esc(tr("Settings"))}</h1><div id="settings-status" aria-live="polite"></div>{form(state)}{engine}'
        f'<h2>{esc(tr("Cloud engine (optional)"))}</h2><div id="cloud-form"></div>'
        '<div id="cloud-status" aria-live="polite"></div>'
        f'<h2>{esc(tr("Appearance and language"))}</h2><div id="appearance-form"></div>'
    )
    regions = {
        "settings-status": status(state),
        "cloud-form": cloud_form(state),
        "cloud-status": cloud_status(state),
        "appearance-form": appearance_form(state),
    }
    return tr("Settings"), skeleton, regions


def form(state: State) -> str:
    """The generation settings: sampling, token limit, seed and the system prompt."""
    s, limit = state.settings, state.model_limit
    top = limit or 8192
    limit_hint = (
        tr("This model accepts up to {limit} (prompt + answer).", limit=limit)
        if limit
        else tr("Prompt + answer.")
    )
    fields = (
        field("temperature", tr("Temperature"), s.temperature, 'min="0" max="2" step="0.05" inputmode="decimal"',
              tr("0 is focused and repeatable, 2 is adventurous."))
        + field("top_k", tr("Top-k"), s.top_k, 'min="1" max="100" step="1" inputmode="numeric"')
        + field("max_tokens", tr("Max tokens"), min(s.max_tokens, top), f'min="{MIN_TOKENS}" max="{top}" step="1"', limit_hint)
        + field("seed", tr("Random seed"), s.seed, 'min="0" step="1" inputmode="numeric"')
        + f'<div class="field wide"><label for="system_prompt">{esc(tr("System prompt"))}</label>'
        f'<textarea id="system_prompt" name="system_prompt" rows="3">{esc(s.system_prompt)}</textarea></div>'
    )  # fmt: skip
    return (
        f'<form class="settings" data-action="save-settings" novalidate>{fields}'
        f'<div class="buttons"><button type="submit" class="primary">{esc(tr("Save"))}</button>'
        f'<button type="button" data-action="reset-settings">{esc(tr("Restore defaults"))}</button></div></form>'
    )


def appearance_form(state: State) -> str:
    """The UI language (the browser's, or one chosen) and the colour theme (the system's, or forced)."""
    choices = (("", tr("Automatic (browser)")), *LANGUAGES.items())
    options = "".join(option(code, name, code == state.lang_choice) for code, name in choices)
    themes = "".join(
        f'<label><input type="radio" name="theme" value="{value}"'
        f"{' checked' if value == state.theme else ''}> {esc(tr(label))}</label>"
        for value, label in THEMES
    )
    return (
        '<form class="settings appearance" data-action="save-appearance">'
        f'<div class="field"><label for="lang">{esc(tr("Language"))}</label>'
        f'<select id="lang" name="lang">{options}</select></div>'
        f'<fieldset class="field wide themes"><legend>{esc(tr("Theme"))}</legend>{themes}</fieldset>'
        f'<div class="buttons"><button type="submit" class="primary">{esc(tr("Apply"))}</button></div></form>'
    )


def option(code: str, name: str, selected: bool) -> str:
    """A language in the select; a language's own name is marked with its language."""
    lang = f' lang="{esc(code)}"' if code else ""
    return f'<option value="{esc(code)}"{lang}{" selected" if selected else ""}>{esc(name)}</option>'


def cloud_form(state: State) -> str:
    """The user's own Gemini API key (masked, removable), private mode, the cloud model."""
    c = state.cloud
    saved = (
        tr("Saved key: {key}. Leave empty to keep it.", key=mask(c.key))
        if c.has_key
        else tr("No key on this device.")
    )
    private_hint = (
        tr("On: nothing is ever sent to the cloud.") if c.has_key else tr("On until you add a key.")
    )
    disabled = "" if c.has_key else " disabled"
    remove = (
        f'<button type="button" data-action="remove-key">{esc(tr("Remove key"))}</button>'
        if c.has_key
        else ""
    )
    intro = tr(
        "Chat runs on this device. With your own Gemini API key, Tabula can also use Google's cloud "
        "for quizzes and mind maps (and for chat when no model is downloaded). Each answer says where it came from."
    )
    local = tr("Make quizzes and mind maps on this device when the cloud is off (may be unreliable)")
    return (
        f"<p>{esc(intro)}</p>"
        '<form class="settings cloud" data-action="save-cloud" novalidate>'
        f'<div class="field wide"><label for="api_key">{esc(tr("Gemini API key"))}</label>'
        '<input id="api_key" name="api_key" type="password" autocomplete="off" spellcheck="false" '
        f'aria-describedby="api_key-hint"><small id="api_key-hint">{esc(saved)}</small></div>'
        f"{keep_key(c.remember)}"
        f'<div class="field wide check"><label><input type="checkbox" name="private"{" checked" if c.private else ""}{disabled}> '
        f"{esc(tr('Private mode'))}</label><small>{esc(private_hint)}</small></div>"
        f'<div class="field"><label for="cloud_model">{esc(tr("Cloud model"))}</label>'
        f'<input id="cloud_model" name="cloud_model" type="text" value="{esc(c.model)}" spellcheck="false"></div>'
        f'<div class="field wide check"><label><input type="checkbox" name="local_structured"{" checked" if c.local_structured else ""}> '
        f"{esc(local)}</label></div>"
        f'<div class="buttons"><button type="submit" class="primary" name="op" value="save">{esc(tr("Save cloud settings"))}</button>'
        f'<button type="submit" name="op" value="test">{esc(tr("Test key"))}</button>{remove}</div></form>'
    )  # fmt: skip


def keep_key(remember: bool) -> str:
    """Where the key is kept: on this device, or for this session only (this tab)."""
    choices = (
        ("device", remember, tr("Remember the key on this device")),
        ("session", not remember, tr("This session only (forgotten when this tab closes)")),
    )
    radios = "".join(
        f'<label><input type="radio" name="keep_key" value="{value}"{" checked" if on else ""}> {esc(text)}</label>'
        for value, on, text in choices
    )
    legend = esc(tr("Where the key is kept"))
    hint = esc(
        tr("On a shared address such as user.github.io, the other sites there can read a remembered key.")
    )
    return f'<fieldset class="field wide check"><legend>{legend}</legend>{radios}<small>{hint}</small></fieldset>'


def cloud_status(state: State) -> str:
    kind, text = state.cloud_notice
    if not text:
        return ""
    role = "alert" if kind == "error" else "status"
    return f'<p class="notice {esc(kind)}" role="{role}">{esc(text)}</p>'


def status(state: State) -> str:
    if state.settings_errors:
        items = "".join(f"<li>{esc(message)}</li>" for _name, message in state.settings_errors)
        return f'<div class="error" role="alert"><p>{esc(tr("Not saved:"))}</p><ul>{items}</ul></div>'
    if state.settings_notice:
        return f'<p class="notice" role="status">{esc(state.settings_notice)}</p>'
    return ""
