"""Scanned PDF pages read through a model that reads photos (issue #24): which model on this
device can read them (the one in use first, else one ready here), which catalogue model would
where none is, the fixed request each page goes with, the prompt it is asked in, and every
sentence: the offer ("Read pages 3–7 as pictures with …"), the progress, the end, a failure.
Pure: ui/handlers/scans.py draws the pages (PDF.js in the reader worker), keeps each a moment
as a photo and asks the engine; documents.with_pictures() makes the text those pages' sections.

May import: chat.documents, engine (prompt templates), media (capability), i18n; the State and
the catalogue's ModelSpec only as types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tabula.chat.documents import Document, images_sentence, page_ranges
from tabula.engine import prompt
from tabula.i18n.translate import tr
from tabula.media.capability import able, can_take

if TYPE_CHECKING:
    from tabula.core.state import State
    from tabula.models.catalog import ModelSpec

TAG = "scans"  # the queue's tag for these jobs: leaving a conversation does not cancel them
# The request each page's picture goes with: fixed, in English (the model's instructions, like
# chat/mapreduce.py's), whatever language the page is in; short, as the picture takes most of a
# small context (about 280 tokens in Gemma 4).
ASK = "Transcribe all the text on this page, exactly as written, line by line. Write only the text."


@dataclass(frozen=True)
class Readers:
    """Who reads pictures of pages: `reader`, a model on this device that can (None: none can),
    and `could`, the label of a catalogue model that would (for the sentence when none is here)."""

    reader: ModelSpec | None
    could: str


def readers(
    model: ModelSpec | None, catalog: Iterable[ModelSpec], usable: Callable[[ModelSpec], bool]
) -> Readers:
    """The model in use when it reads photos and is here, else the first ready here that does."""
    seeing = able(tuple(catalog), {"image"})
    if model is not None and can_take(model, "image") and usable(model):
        reader: ModelSpec | None = model
    else:
        reader = next((m for m in seeing if usable(m)), None)
    return Readers(reader, seeing[0].label if seeing else "")


def readers_for(state: State) -> Readers:
    return readers(state.model, state.catalog, state.usable)


def asked(family: str, picture: object) -> str:
    """The prompt for one page: the picture's placeholder and ASK in one user turn of `family`'s
    template (no system prompt: the person's is for the chat). ValueError for a family that
    reads text only."""
    template = prompt.template_for(family)
    if not template.image:
        raise ValueError(f"the {family} template has no picture placeholder")
    return prompt.render(template, "", [prompt.Turn("user", ASK, (picture,))])


def images(scanned: tuple[int, ...]) -> str:
    """ "Pages 3–7 are images." (a model here can read them: the offer follows)."""
    said = images_sentence(scanned)
    return f"{said[:1].upper()}{said[1:]}."


def offer(scanned: tuple[int, ...], model: str) -> str:
    """The offer's button: "Read pages 3–7 as pictures with Gemma 4 E2B"."""
    pages = page_ranges(scanned)
    if len(scanned) == 1:
        return tr("Read page {pages} as a picture with {model}", pages=pages, model=model)
    return tr("Read pages {pages} as pictures with {model}", pages=pages, model=model)


def switching(model: str) -> str:
    """Said with the offer when the model that reads them is not the one in use."""
    return tr("Tabula switches to {model} to read them.", model=model)


def progress(name: str, done: int, total: int) -> str:
    return tr("Reading {name} as pictures: page {done} of {total}…", name=name, done=done, total=total)


def finished(doc: Document, read: tuple[int, ...], empty: tuple[int, ...], model: str) -> str:
    """The end: which pages were read, by which model, and those where it found no text."""
    parts = []
    if read:
        parts.append(
            tr(
                "{model} read the text of {where} of {name}. A model can misread: check what "
                "matters against the page.",
                where=_where(read),
                name=doc.title,
                model=model,
            )
        )
    if empty:
        parts.append(tr("No text was found on {where}.", where=_where(empty)))
    return " ".join(parts)


def nothing_found(doc: Document) -> str:
    return tr(
        "The model found no text on the pictures of the pages of {name}. Nothing was kept.", name=doc.title
    )


def stopped() -> str:
    return tr("Stopped reading the pictures. Nothing was kept.")


def failed(doc: Document, page: int, why: str) -> str:
    """A page that could not be read (`why`: one sentence); nothing of the others is kept."""
    return tr(
        "Page {page} of {name} could not be read as a picture. {why} Nothing was kept.",
        page=page, name=doc.title, why=why,
    )  # fmt: skip


def broke(error: str) -> str:
    return tr("Something went wrong ({error}).", error=error)


def not_drawn() -> str:
    return tr("The page could not be drawn.")


def not_kept(error: str) -> str:
    if "Quota" in error:
        return tr("This device's storage is full. Free some space, then try again.")
    return tr("Its picture could not be kept on this device ({error}).", error=error)


def too_long() -> str:
    return tr(
        "The picture and the request do not fit in the model's context: raise Max tokens in "
        "Settings if the model allows."
    )


def cannot(model: str) -> str:
    return tr("{model} cannot read pictures.", model=model)


def closed(doc: Document) -> str:
    """The pages were read, but the document is no longer where it was opened."""
    return tr(
        "The pictures of {name} were read, but the document was closed or another conversation "
        "opened meanwhile. Nothing was kept.",
        name=doc.title,
    )


def picture_name(doc: Document, page: int) -> str:
    """How the page's picture is named while it is kept (a photo's record needs a name)."""
    stem = doc.title.rsplit(".", 1)[0] or "document"
    return f"{stem[:150]}-page-{page}.jpg"


def _where(pages: tuple[int, ...]) -> str:
    return tr("page {n}", n=pages[0]) if len(pages) == 1 else tr("pages {pages}", pages=page_ranges(pages))
