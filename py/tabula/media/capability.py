"""Which models can see or hear, and what the chat says when the one in use cannot (issue #25).
Pure.

A model can take photos and audio when its catalogue record says so (`inputs`, where the
catalogue has the field), else when it is a Gemma 4 in ONNX form (Transformers.js runs it with
its vision and audio encoders). A message with attachments goes only where they can be taken:
the local model that can, or the cloud engine when it is switched on and the chat's choice
(core/decide.py); otherwise it is not sent, nothing is dropped, and the chat names a model that
can, offering to switch to it (on this device) or download it.
May import: core (decide), models (catalogue), i18n, media.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tabula.core.decide import decide_for
from tabula.i18n.translate import tr
from tabula.media.attachments import Attachment
from tabula.media.composing import Refusal
from tabula.models.catalog import ModelSpec

if TYPE_CHECKING:
    from tabula.core.state import State

EXAMPLE = "Gemma 4 E2B"  # named when the catalogue holds no model that can


def can_take(spec: ModelSpec, kind: str) -> bool:
    """Whether `spec` can be given a `kind` ("image" | "audio") attachment."""
    inputs = getattr(spec, "inputs", None)
    if inputs:
        return kind in inputs
    return getattr(spec, "format", "") == "onnx" and spec.family == "gemma4"


def able(catalog: Iterable[ModelSpec], kinds: set[str]) -> list[ModelSpec]:
    return [m for m in catalog if all(can_take(m, k) for k in kinds)]


def refusal(
    where: str, model: ModelSpec | None, catalog: Iterable[ModelSpec], usable: Callable[[ModelSpec], bool],
    attachments: Iterable[Attachment],
) -> Refusal | None:  # fmt: skip
    """None when the attachments can go where the chat runs (`where`: core/decide's local, cloud
    or unavailable); else what the chat says and offers."""
    kinds = {a.kind for a in attachments}
    if not kinds or where != "local" or model is None or all(can_take(model, k) for k in kinds):
        return None
    cannot = _cannot(model.label, kinds)
    candidates = able(catalog, kinds)
    here = next((m for m in candidates if usable(m)), None)
    if here is not None:
        said = tr("{model} can: switch to it and send again.", model=here.label)
        return Refusal(f"{cannot} {said}", here.id, "switch", here.label)
    if candidates:
        there = candidates[0]
        said = tr("{model} can: download it (it is then the model in use) and send again.", model=there.label)
        return Refusal(f"{cannot} {said}", there.id, "download", there.label)
    said = tr(
        "A model that sees and hears, such as {model}, is needed: add one on the Models page.", model=EXAMPLE
    )
    return Refusal(f"{cannot} {said}")


def _cannot(label: str, kinds: set[str]) -> str:
    if kinds == {"image"}:
        return tr("{model} cannot read photos.", model=label)
    if kinds == {"audio"}:
        return tr("{model} cannot hear voice notes or sound files.", model=label)
    return tr("{model} cannot read photos or hear sound.", model=label)


def refusal_for(state: State, attachments: Iterable[Attachment]) -> Refusal | None:
    """refusal() for the chat as the app's State has it now."""
    where = decide_for(state, "chat").where
    return refusal(where, state.model, state.catalog, state.usable, attachments)
