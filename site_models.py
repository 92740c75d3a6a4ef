"""What build.py knows about LLM models: the formats MediaPipe's web loader accepts, the
optional `<model>.json` sidecar, and the catalogue records of models embedded in a site."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

FAMILIES = ("gemma3", "gemma4", "completion")


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
    """Refuse embedded models that are missing or that MediaPipe's web loader would not accept."""
    for model in models:
        if not model.is_file():
            raise BuildError(f"--embed-model {model}: no such file")
        with model.open("rb") as handle:
            head = handle.read(8)
        if model_format(head) is None:
            raise BuildError(f"--embed-model {model}: not a web LLM model MediaPipe can load ({WEB_FORMATS})")


WEB_FORMATS = "a TFLite flatbuffer, a zip bundle after a 4-byte header, or .litertlm"


def model_format(head: bytes) -> str | None:
    """The format MediaPipe tasks-genai 0.10.29 sniffs from a model's first 8 bytes, or None."""
    if head[4:8] == b"TFL3":
        return "tflite"
    if head[4:6] == b"PK":
        return "task-zip"
    if head[:8] == b"LITERTLM":
        return "litertlm"
    return None


def embed_models(out: Path, models: list[Path]) -> list[dict]:
    """Copy .task models into models/ and describe them as catalogue records.

    An optional sidecar `<model>.json` ({"label": ..., "family": "gemma3|gemma4|completion",
    "max_tokens": N}) names the model, its prompt template and its KV-cache size; without one
    the file name and Gemma 3 are used and the app learns the size on first load.
    """
    records = []
    for model in sorted(models, key=lambda p: p.name):
        (out / "models").mkdir(exist_ok=True)
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
