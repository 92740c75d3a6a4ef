"""Models made of several files (ModelSpec.files): which catalogue set a picked folder holds, what
is missing or wrong in it (one sentence naming the file), and the ready record the service
worker serves the files from. Pure.

A set is stored as models/<id>/ holding one chunk folder per file (catalog.part_id: the path,
%-escaped) and, once every file is verified, ready.json: {"id", "bytes", "sha256": "",
"files": [{"path", "folder", "bytes", "sha256"}]}. The service worker answers
./models/<id>/<path> from the folder ready.json names for that path (service_worker/sw.js.j2).
"""

from __future__ import annotations

import json

from tabula.i18n.translate import N_, tr
from tabula.models.catalog import INPUTS, ModelFile, ModelSpec, part_id
from tabula.models.transfers import PickedFile

SET_CHECKSUM = N_(
    "{file} is not the file {model} needs (its checksum differs: it changed upstream, or something "
    "on the way altered it), so none of {model} was kept."
)
SET_IMPORT_CHECKSUM = N_(
    "{file} in the folder is not the file {model} needs (its checksum differs), so none of {model} was imported."
)
SET_MISSING = N_("The folder has no {file}, which {model} needs, so nothing was imported.")
SET_MISSING_MORE = N_(
    "The folder has no {file} (and {count} more files {model} needs), so nothing was imported."
)
SET_WRONG_SIZE = N_(
    "{file} in the folder is {size} bytes, but {model} needs {expected} bytes: it is another file or "
    "was cut short, so nothing was imported."
)
SET_UNKNOWN = N_(
    "These files are not a model Tabula knows. Pick the folder of a model listed on this page "
    "(such as {model}), with all its files."
)
SET_NONE = N_("This site lists no model made of several files to import.")


def manifest(spec: ModelSpec, found: dict[str, str]) -> str:
    """ready.json for a verified set: each file's path, folder, size and SHA-256 (as verified)."""
    files = [
        {"path": f.path, "folder": part_id(spec.id, f.path).split("/", 1)[1], "bytes": f.bytes,
         "sha256": found.get(f.path, f.sha256)}
        for f in spec.files
    ]  # fmt: skip
    total = sum(f.bytes for f in spec.files)
    return json.dumps({"id": spec.id, "bytes": total, "sha256": "", "files": files}, sort_keys=True)


def _picked_for(file: ModelFile, picked: list[PickedFile]) -> PickedFile | None:
    """The picked file that is `file`: the same path, under the picked folder, or (files picked
    one by one, with no folder) the same name."""
    name = file.path.rsplit("/", 1)[-1]
    for choice in picked:
        path = choice.path.replace("\\", "/")
        if path == file.path or path.endswith("/" + file.path):
            return choice
    return next((c for c in picked if "/" not in c.path.replace("\\", "/") and c.path == name), None)


def match(
    catalog: tuple[ModelSpec, ...], picked: list[PickedFile]
) -> tuple[ModelSpec | None, dict[str, PickedFile], str]:
    """(the set the picked files are, {path: picked file}, "") or (None, {}, why not: one
    sentence naming the first missing or wrong file)."""
    sets = [m for m in catalog if m.files]
    if not sets:
        return None, {}, tr(SET_NONE)
    scored = [(sum(_picked_for(f, picked) is not None for f in s.files), i, s) for i, s in enumerate(sets)]
    score, _, spec = max(scored, key=lambda t: (t[0], -t[1]))
    if score == 0:
        return None, {}, tr(SET_UNKNOWN, model=sets[0].label)
    chosen = {f.path: p for f in spec.files if (p := _picked_for(f, picked)) is not None}
    missing = [f for f in spec.files if f.path not in chosen]
    if missing:
        more = len(missing) - 1
        text = tr(SET_MISSING_MORE, file=missing[0].path, count=more, model=spec.label) if more else tr(
            SET_MISSING, file=missing[0].path, model=spec.label
        )  # fmt: skip
        return None, {}, text
    for f in spec.files:
        if f.bytes and chosen[f.path].size != f.bytes:
            size, expected = f"{chosen[f.path].size:,}", f"{f.bytes:,}"
            return None, {}, tr(SET_WRONG_SIZE, file=f.path, size=size, expected=expected, model=spec.label)
    return spec, chosen, ""


def abilities(spec: ModelSpec) -> str:
    """What a model can take, as the Models page says it ("text, photos, voice"); "" for text only."""
    if not spec.inputs:
        return ""
    return ", ".join(tr(INPUTS[i]) for i in ("text", *spec.inputs) if i in INPUTS)
