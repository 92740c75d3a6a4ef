"""The limits on photos and sound files, and one sentence for each file refused (issue #25). Pure.

A picked file is judged before any byte is read: its kind (from its type, else its name), its
size. Then the browser decodes it (browser/media_store.py): a file it cannot decode is refused too.
Whatever is refused leaves nothing behind: nothing stored, nothing sent.
Imports i18n only.
"""

from __future__ import annotations

from tabula.i18n.translate import tr

MAX_FILE_BYTES = 20_000_000  # a picked photo or sound file, before it is decoded
MAX_SIDE = 1024  # a stored photo's longest side, in pixels (Gemma 4's processor works below it)
MAX_SECONDS = 30.0  # a stored audio clip: Gemma 4 hears at most 30 s (750 audio tokens)
SAMPLE_RATE = 16_000  # audio is stored as 16 kHz mono PCM16 WAV, what Gemma 4's processor takes
MAX_PER_MESSAGE = 4
MAX_AUDIO_PER_MESSAGE = 1  # Gemma 4's processor reads one audio clip with a message
IMAGE_NAMES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".avif", ".heic", ".heif")
AUDIO_NAMES = (".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".flac", ".mp4")


class AttachmentProblem(ValueError):
    """Why a file cannot be attached, in one sentence for the person who picked it."""


def kind_of(name: str, mime: str) -> str:
    """ "image", "audio", or "" for a file that is neither (judged from its type, else its name)."""
    major = mime.split("/")[0].lower()
    if major in ("image", "audio"):
        return major
    lower = name.lower()
    if lower.endswith(IMAGE_NAMES):
        return "image"
    return "audio" if lower.endswith(AUDIO_NAMES) else ""


def check_file(name: str, mime: str, size: int, held: tuple[str, ...] = ()) -> str:
    """The kind of a picked file that may be attached beside those `held` (their kinds);
    AttachmentProblem when it may not."""
    kind = kind_of(name, mime)
    if not kind:
        raise AttachmentProblem(tr(
            "{name} is not a photo or a sound file. Add a photo (JPEG, PNG, WebP…) or a sound file "
            "(WAV, MP3, M4A, OGG…).", name=name,
        ))  # fmt: skip
    if size > MAX_FILE_BYTES:
        raise AttachmentProblem(tr(
            "{name} is too large ({size} MB): Tabula takes photos and sound files up to {limit} MB.",
            name=name, size=f"{size / 1e6:.1f}", limit=MAX_FILE_BYTES // 1_000_000,
        ))  # fmt: skip
    if size == 0:
        raise undecodable(name, kind)
    if len(held) >= MAX_PER_MESSAGE:
        raise AttachmentProblem(
            tr("A message takes at most {count} photos or sound files.", count=MAX_PER_MESSAGE)
        )
    if kind == "audio" and held.count("audio") >= MAX_AUDIO_PER_MESSAGE:
        raise AttachmentProblem(
            tr("A message takes one voice note or sound file: remove the one attached to add another.")
        )
    return kind


def undecodable(name: str, kind: str) -> AttachmentProblem:
    """The browser could not decode the file (damaged, or not what its name says)."""
    if kind == "image":
        text = tr("{name} could not be read as a photo: it is damaged or not an image.", name=name)
    else:
        text = tr("{name} could not be read as sound: it is damaged or not an audio file.", name=name)
    return AttachmentProblem(text)


def trimmed(name: str, seconds: float) -> str:
    """Said when only the first MAX_SECONDS of a longer clip were kept."""
    return tr(
        "{name} is {seconds} s long: only its first {limit} s are kept (the model hears at most {limit} s).",
        name=name, seconds=f"{seconds:.0f}", limit=f"{MAX_SECONDS:.0f}",
    )  # fmt: skip


def limits() -> dict[str, float | int]:
    """What the browser side needs to prepare a file (browser/media_store.py passes it to JS)."""
    return {"maxSide": MAX_SIDE, "maxSeconds": MAX_SECONDS, "sampleRate": SAMPLE_RATE}
