"""Photos and voice notes in the chat (issue #25), as HTML. Pure.

The composer's buttons (Add photo, Record, Add audio file), what it holds before Send (a
thumbnail or a sound chip per attachment, each with Remove; the recording's timer and Stop; the
chat's answer when the model in use cannot take them, with Switch or a link to Models), and the
attachments shown in a sent message. A stored attachment is drawn by pwa/js/media.js into the
element marked `data-media` (the views' HTML policy allows no <img> or <audio>).
"""

from __future__ import annotations

from collections.abc import Iterable

from tabula.i18n.translate import tr
from tabula.media.attachments import Attachment
from tabula.media.checks import AUDIO_NAMES, MAX_SECONDS
from tabula.media.composing import Composing, Refusal
from tabula.ui.views.html import esc

AUDIO_ACCEPT = "audio/*," + ",".join(AUDIO_NAMES)


def tools(before: str = "") -> str:
    """The composer's buttons, after `before` (Add a document: ui/views/chat.py); a file picked
    goes to attach-photo or attach-audio (main.py)."""
    return (
        f'<div class="composer-tools">{before}'
        f'<label class="button">{esc(tr("Add photo"))}<input type="file" class="sr-only" '
        'accept="image/*" capture="environment" data-action="attach-photo"></label>'
        f'<button type="button" data-action="record">{esc(tr("Record"))}</button>'
        f'<label class="button">{esc(tr("Add audio file"))}<input type="file" class="sr-only" '
        f'accept="{AUDIO_ACCEPT}" data-action="attach-audio"></label></div>'
    )


def composing(held: Composing) -> str:
    """The composer's region: attachments before Send, a recording, a file being prepared, a refusal."""
    chips = "".join(_chip(a) for a in held.attachments)
    parts = [f'<ul class="attachments" aria-label="{esc(tr("Attached"))}">{chips}</ul>' if chips else ""]
    if held.recording is not None:
        parts.append(_recording(held.recording))
    if held.preparing:
        parts.append(f'<p class="hint" role="status">{esc(tr("Preparing {name}…", name=held.preparing))}</p>')
    if held.refusal is not None:
        parts.append(_refusal(held.refusal))
    return "".join(parts)


def _media(attachment: Attachment) -> str:
    return (
        f'<span class="media {esc(attachment.kind)}" data-media="{esc(attachment.id)}" '
        f'data-kind="{esc(attachment.kind)}" role="img" aria-label="{esc(attachment.name)}"></span>'
    )


def _chip(attachment: Attachment) -> str:
    remove = tr("Remove {name}", name=attachment.name)
    return (
        f'<li class="chip">{_media(attachment)}<span class="chip-name">{esc(attachment.label)}</span>'
        f'<button type="button" class="quiet" data-action="remove-attachment" data-id="{esc(attachment.id)}" '
        f'aria-label="{esc(remove)}" title="{esc(remove)}">×</button></li>'
    )


def _recording(seconds: float) -> str:
    shown = tr("Recording {time} of {limit}", time=clock(seconds), limit=clock(MAX_SECONDS))
    return (
        f'<p class="recording" role="timer"><span class="dot" aria-hidden="true"></span>{esc(shown)} '
        f'<button type="button" class="primary" data-action="stop-recording">{esc(tr("Stop recording"))}</button></p>'
    )


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _refusal(refusal: Refusal) -> str:
    offer = ""
    if refusal.offer == "switch":
        offer = (
            f'<button type="button" data-action="use-model" data-id="{esc(refusal.model_id)}">'
            f"{esc(tr('Switch to {model}', model=refusal.label))}</button>"
        )
    elif refusal.offer == "download":
        offer = (
            f'<button type="button" data-action="upgrade-model" data-id="{esc(refusal.model_id)}">'
            f"{esc(tr('Download and switch to {model}', model=refusal.label))}</button>"
            f'<a class="button" href="#/models">{esc(tr("Open Models"))}</a>'
        )
    else:
        offer = f'<a class="button" href="#/models">{esc(tr("Open Models"))}</a>'
    close = f'<button type="button" class="quiet" data-action="dismiss-refusal" aria-label="{esc(tr("Dismiss"))}">×</button>'
    return f'<p class="notice error refusal" role="alert">{esc(refusal.text)} {offer}{close}</p>'


def sent(attachments: Iterable[Attachment]) -> str:
    """A sent message's photos (thumbnails) and audio clips (players), each named."""
    items = "".join(
        f'<figure class="attachment">{_media(a)}<figcaption>{esc(a.label)}</figcaption></figure>'
        for a in attachments
    )
    return f'<div class="sent-media">{items}</div>' if items else ""


def photo_form() -> str:
    """The empty chat's Read a photo: a photo (the camera on a tablet) and an optional question."""
    return (
        '<form data-action="use-photo"><p class="row">'
        f'<label class="button">{esc(tr("Take or choose a photo"))}<input type="file" class="sr-only" '
        'accept="image/*" capture="environment" data-action="attach-photo"></label></p>'
        f'<label for="photo-question">{esc(tr("Your question (optional)"))}</label>'
        '<input id="photo-question" name="question" autocomplete="off">'
        f'<button type="submit" class="primary">{esc(tr("Read it"))}</button></form>'
    )


def voice_form() -> str:
    """The empty chat's Voice note: record or add one, then summarize it or answer it."""
    hows = (("summarize", tr("Write it out and summarize it")), ("answer", tr("Write it out and answer it")))
    options = "".join(f'<option value="{value}">{esc(label)}</option>' for value, label in hows)
    return (
        '<form data-action="use-voice"><p class="row">'
        f'<button type="button" data-action="record">{esc(tr("Record"))}</button>'
        f'<label class="button">{esc(tr("Add audio file"))}<input type="file" class="sr-only" '
        f'accept="{AUDIO_ACCEPT}" data-action="attach-audio"></label></p>'
        f'<label for="voice-how">{esc(tr("Then"))}</label><select id="voice-how" name="how">{options}</select>'
        f'<button type="submit" class="primary">{esc(tr("Send"))}</button></form>'
    )
