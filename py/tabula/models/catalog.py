"""The model catalogue: ModelSpec records and how new ones are made. Pure.

Records come from the build's config.json (the built-in list in pwa/catalog.json, a deployment's
own --catalog file, and models embedded in the site) plus the ones this device added: a custom
URL or a file imported from a USB stick. A record's `sha256` is "" until known; the first
verified download or import pins it.

A model can also be a set of files (`files`: each a path with its exact size and SHA-256, read at
a pinned `revision`; `url` is then the folder they sit in): it is downloaded, verified, kept and
deleted as one, stored as models/<id>/<part folder>/ chunks (`part_id`) and served to engines at
./models/<id>/<path> by the service worker. `format` names the engine's file format ("onnx":
Transformers.js), `inputs` what it can take (text, image, audio).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from urllib.parse import quote

from tabula.i18n.translate import N_, tr
from tabula.models.hub import resolve_url

FAMILIES = ("gemma3", "gemma4", "completion")
SOURCES = ("catalogue", "embedded", "custom", "imported")


INPUTS = {"text": N_("text"), "image": N_("photos"), "audio": N_("voice")}


@dataclass(frozen=True)
class ModelFile:
    """One file of a model made of several: its path in the set, exact size and SHA-256."""

    path: str
    bytes: int
    sha256: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """A model the app knows about."""

    id: str
    label: str
    family: str  # the prompt template: gemma3 | gemma4 | chatml | llama3 | phi3 | mistral | completion
    url: str  # "" for an imported file
    bytes: int  # exact when sha256 is known, else an estimate (0: unknown)
    sha256: str
    source: str  # catalogue | embedded | custom | imported
    max_tokens: int | None = None  # the model's KV cache, where known
    licence: str = ""
    requirements: str = ""
    files: tuple[ModelFile, ...] = ()  # a model made of several files (url: their folder)
    format: str = ""  # the engine's file format where the name does not say it: "onnx"
    inputs: tuple[str, ...] = ()  # what it can take besides text: "image", "audio"
    revision: str = ""  # the upstream revision a set's files were read at

    @property
    def downloadable(self) -> bool:
        return bool(self.url)

    @property
    def runtime(self) -> str:
        """The local engine that runs it: "cpu" for a GGUF file (llama.cpp in wasm), else "gpu"
        (MediaPipe on WebGPU). Judged from the file's name (an imported file's label is its name)."""
        if self.format == "onnx":
            return "onnx"
        name = (self.url or self.label).split("?")[0].split("#")[0].lower()
        return "cpu" if name.endswith(".gguf") else "gpu"

    def file_url(self, file: ModelFile) -> str:
        """Where one file of a set is downloaded from: its path under the set's folder."""
        return f"{self.url.rstrip('/')}/{file.path}"

    def part(self, file: ModelFile) -> ModelSpec:
        """One file of a set as a record of its own (its id: part_id), for the transfer."""
        return replace(
            self, id=part_id(self.id, file.path), url=self.file_url(file) if self.url else "",
            bytes=file.bytes, sha256=file.sha256, files=(), label=file.path,
        )  # fmt: skip


def part_id(model_id: str, path: str) -> str:
    """The store's id of one file of a set: "<set id>/<path, %-escaped>" (one folder inside the set's)."""
    return f"{model_id}/{quote(path, safe='')}"


def owner_of(model_id: str) -> str:
    """The model a store id belongs to: the set for one of its files, else itself."""
    return model_id.split("/", 1)[0]


class CatalogError(ValueError):
    """A custom model the user described cannot be used; the message says why."""


def from_records(records: list[dict]) -> tuple[ModelSpec, ...]:
    """Specs from JSON records, ignoring unknown keys (newer builds may add some)."""
    return tuple(_spec(r) for r in records)


def _spec(record: dict) -> ModelSpec:
    names = set(ModelSpec.__dataclass_fields__)
    known = {k: v for k, v in record.items() if k in names}
    files = tuple(
        ModelFile(str(f["path"]), int(f["bytes"]), str(f.get("sha256", ""))) for f in known.get("files", ())
    )
    return ModelSpec(**{**known, "files": files, "inputs": tuple(known.get("inputs", ()))})


def to_json(specs: tuple[ModelSpec, ...]) -> str:
    return json.dumps([asdict(s) for s in specs], sort_keys=True)


def merge(built: tuple[ModelSpec, ...], added: tuple[ModelSpec, ...]) -> tuple[ModelSpec, ...]:
    """The build's models, then this device's, with no id twice (the build wins)."""
    known = {s.id for s in built}
    return built + tuple(s for s in added if s.id not in known)


def pin(spec: ModelSpec, sha256: str, size: int) -> ModelSpec:
    """The record after its first verified copy: exact size and checksum."""
    return replace(spec, sha256=sha256, bytes=size)


def pin_files(spec: ModelSpec, found: dict[str, str]) -> ModelSpec:
    """A set after its first verified copy: each file's checksum where the record had none."""
    return replace(
        spec, files=tuple(replace(f, sha256=f.sha256 or found.get(f.path, "")) for f in spec.files)
    )


def pin_from(spec: ModelSpec, ready_json: str, size: int) -> ModelSpec | None:
    """`spec` pinned from a stored copy's ready.json (its verified checksum), when it was not yet
    pinned; None when there is nothing to pin or the file is unreadable."""
    try:
        meta = json.loads(ready_json or "{}")
    except ValueError:
        return None
    if spec.files and isinstance(meta, dict) and isinstance(meta.get("files"), list):
        pinned = pin_files(spec, {str(f.get("path")): str(f.get("sha256", "")) for f in meta["files"]})
        return None if pinned == spec else pinned
    if spec.sha256 or not isinstance(meta, dict) or not meta.get("sha256"):
        return None
    return pin(spec, str(meta["sha256"]), int(meta.get("bytes", size)))


def slug(text: str) -> str:
    """A safe, stable id fragment from a file name or URL."""
    stem = re.sub(r"\.(task|bin|litertlm|gguf)$", "", text.rsplit("/", 1)[-1].split("?")[0], flags=re.I)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:48] or "model"


def guess_family(name: str) -> str:
    """The prompt template a file name suggests (Gemma 4 names say 4; otherwise Gemma 3)."""
    return "gemma4" if re.search(r"gemma-?4", name, re.I) else "gemma3"


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether `url`'s origin is one of `hosts` ("https://*.example.org" covers its subdomains)."""
    match = re.match(r"^([a-z]+://[^/?#]+)", url.strip().lower())
    if match is None:
        return False
    found = match.group(1)
    for host in hosts:
        scheme, _, name = host.lower().partition("://*.")
        if found == host.lower() or (
            name and found.startswith(f"{scheme}://") and found.endswith("." + name)
        ):
            return True
    return False


def custom(url: str, label: str = "", hosts: tuple[str, ...] = ()) -> ModelSpec:
    """A model at a URL the user typed; raise CatalogError when the URL cannot work (with
    `hosts`, also when this site's security policy does not allow downloads from its host)."""
    url = resolve_url(url)
    if not url:
        raise CatalogError(tr("Enter the address of a .task or .gguf file."))
    if not re.match(r"^https://[^\s/]+/\S+$|^http://(127\.0\.0\.1|localhost)(:\d+)?/\S+$", url):
        raise CatalogError(
            tr("Use a full https:// address of a .task or .gguf file (http:// only for this computer).")
        )
    if hosts and not host_allowed(url, hosts):
        raise CatalogError(
            tr(
                "This site only downloads models from {hosts}. Ask whoever runs it to add this address's "
                "host, or download the file elsewhere and use Import from a file.",
                hosts=", ".join(h.removeprefix("https://") for h in hosts),
            )
        )
    name = slug(url)
    return ModelSpec(f"custom-{name}", label.strip() or name, guess_family(url), url, 0, "", "custom")


def imported(file_name: str, size: int) -> ModelSpec:
    """A model copied from a local file (no URL: it cannot be downloaded again)."""
    name = slug(file_name)
    return ModelSpec(f"file-{name}", file_name, guess_family(file_name), "", size, "", "imported")
