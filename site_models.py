"""What build.py knows about LLM models: the formats MediaPipe's web loader accepts, the
optional `<model>.json` sidecar, and the catalogue records of models embedded in a site. A
model made of several files (an ONNX set for Transformers.js: a folder with config.json,
tokenizer.json and onnx/*.onnx) is embedded as a folder under models/, its record listing each
file with its size and sha256."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "py"))  # the app's own pure modules

from tabula.models.catalog import FAMILIES
from tabula.models.format import HEAD_BYTES, WEB_FORMATS, model_format, set_format
from tabula.models.hub import hub_file, resolve_url

DEFAULT_CHUNK = 8 * 1024 * 1024
RECORD_KEYS = {"id": str, "label": str, "family": str, "url": str, "bytes": int, "sha256": str}


class BuildError(Exception):
    """A missing or wrong build input; the message is the one line the user sees."""


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_models(models: list[Path]) -> None:
    """Refuse embedded models that are missing or that no local engine would accept."""
    for model in models:
        if model.is_dir():
            if set_format(set_paths(model)) is None:
                raise BuildError(
                    f"--embed-model {model}: a folder, but not an ONNX model set (config.json, tokenizer.json, onnx/*.onnx)"
                )
            continue
        if not model.is_file():
            raise BuildError(f"--embed-model {model}: no such file")
        with model.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        if model_format(head) is None:
            raise BuildError(
                f"--embed-model {model}: not a web LLM model a local engine can load ({WEB_FORMATS})"
            )


def embed_models(out: Path, models: list[Path]) -> list[dict]:
    """Copy .task models into models/ and describe them as catalogue records.

    An optional sidecar `<model>.json` ({"label": ..., "family": "gemma3|gemma4|completion",
    "max_tokens": N}) names the model, its prompt template and its KV-cache size; without one
    the file name and Gemma 3 are used and the app learns the size on first load.
    """
    records = []
    for model in sorted(models, key=lambda p: p.name):
        (out / "models").mkdir(exist_ok=True)
        if model.is_dir():
            records.append(embed_set(out, model))
            continue
        shutil.copyfile(model, out / "models" / model.name)
        records.append({
            "id": f"embedded-{model.stem}",
            "label": f"{model.stem} (embedded)",
            "family": "gemma3",
            **sidecar(model),
            "url": f"./models/{model.name}",
            "bytes": model.stat().st_size,
            "sha256": sha256(model),
            "source": "embedded",
        })  # fmt: skip
    return records


def set_paths(folder: Path) -> list[str]:
    """The files of a model set, relative to its folder, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def embed_set(out: Path, folder: Path) -> dict:
    """Copy an ONNX model set into models/<name>/ and describe it: its files, and what it can
    take besides text (from its config: a vision tower reads photos, an audio tower voice)."""
    shutil.copytree(folder, out / "models" / folder.name)
    files = [
        {"path": p, "bytes": (folder / p).stat().st_size, "sha256": sha256(folder / p)}
        for p in set_paths(folder)
    ]
    config = json.loads((folder / "config.json").read_text())
    inputs = [kind for kind, key in (("image", "vision_config"), ("audio", "audio_config")) if key in config]
    return {
        "id": f"embedded-{folder.name}", "label": f"{folder.name} (embedded)", "family": "gemma4",
        **sidecar(folder), "url": f"./models/{folder.name}/", "bytes": sum(f["bytes"] for f in files),
        "sha256": "", "source": "embedded", "files": files, "format": "onnx", "inputs": inputs,
    }  # fmt: skip


def sidecar(model: Path) -> dict[str, str | int]:
    """The label/family a model's optional `<model>.json` gives."""
    path = model.with_name(model.name + ".json")
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as error:
        raise BuildError(f"{path}: not valid JSON ({error})") from None
    if data.get("family", "gemma3") not in FAMILIES:
        raise BuildError(f"{path}: family must be one of {', '.join(FAMILIES)}")
    if not isinstance(data.get("max_tokens", 1), int):
        raise BuildError(f"{path}: max_tokens must be a whole number")
    return {key: data[key] for key in ("label", "family", "max_tokens") if key in data}


def read_catalog(path: Path) -> list[dict]:
    """The downloadable models listed in `path`, each checked so the app can trust it."""
    try:
        records = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BuildError(f"--catalog {path}: {error}") from None
    if not isinstance(records, list):
        raise BuildError(f"--catalog {path}: expected a JSON list of models")
    ids = [check_record(path, record) for record in records]
    if len(set(ids)) != len(ids):
        raise BuildError(f"--catalog {path}: model ids must be unique")
    return [{"source": "catalogue", **record, "url": resolve_url(record["url"])} for record in records]


def check_record(path: Path, record: object) -> str:
    """The record's id, after refusing a record with a missing or wrong field."""
    if not isinstance(record, dict):
        raise BuildError(f"--catalog {path}: every entry must be an object")
    for key, kind in RECORD_KEYS.items():
        if not isinstance(record.get(key), kind):
            raise BuildError(f"--catalog {path}: {record.get('id', '?')}: '{key}' must be a {kind.__name__}")
    if record["family"] not in FAMILIES:
        raise BuildError(f"--catalog {path}: {record['id']}: family must be one of {', '.join(FAMILIES)}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", record["id"]):
        raise BuildError(f"--catalog {path}: {record['id']}: id must be lower-case letters, digits and -")
    check_proof(path, record)
    return record["id"]


def check_proof(path: Path, record: dict) -> None:
    """Refuse a record the app could not prove: a bad sha256, or none and no Hub to ask for it
    (for a model made of several files, each file's)."""
    where = f"--catalog {path}: {record['id']}"
    if "files" in record:
        return check_files(where, record)
    if record["sha256"] and not re.fullmatch(r"[0-9a-f]{64}", record["sha256"]):
        raise BuildError(f"{where}: sha256 must be 64 hex digits (lower case)")
    if not record["sha256"] and hub_file(record["url"]) is None:
        raise BuildError(
            f"{where}: no sha256, and its url is not a Hugging Face file "
            "(…/<owner>/<repo>/resolve/<revision>/<file>) whose hash the app can ask for"
        )


def check_files(where: str, record: dict) -> None:
    """A model made of several files: each a path with its exact size, and a sha256 or a Hub
    address to ask for it; `bytes` is their sum."""
    files = record["files"]
    if not isinstance(files, list) or not files:
        raise BuildError(f"{where}: 'files' must be a non-empty list")
    for file in files:
        if not isinstance(file, dict) or not isinstance(file.get("path"), str) or not file["path"]:
            raise BuildError(f"{where}: every file needs a 'path'")
        name = f"{where}: {file['path']}"
        if not isinstance(file.get("bytes"), int) or file["bytes"] <= 0:
            raise BuildError(f"{name}: 'bytes' must be its exact size")
        sha = file.get("sha256", "")
        if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise BuildError(f"{name}: sha256 must be 64 hex digits (lower case)")
        if not sha and hub_file(f"{record['url'].rstrip('/')}/{file['path']}") is None:
            raise BuildError(f"{name}: no sha256, and the set's url is not a Hugging Face folder to ask")
    if sum(f["bytes"] for f in files) != record["bytes"]:
        raise BuildError(f"{where}: 'bytes' must be the sum of its files' sizes")
