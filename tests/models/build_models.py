"""Builds the test models into a cache outside the working tree: MediaPipe `.task` bundles
(tiny, real) and GGUF files for the CPU engine (tiny-gguf, real-gguf; see gguf_model.py).

Usage:
    python tests/models/build_models.py [--which tiny|real|tiny-gguf|real-gguf|all]
    python tests/models/build_models.py --print-path tiny|real|tiny-gguf|real-gguf

Owns the cache layout and the build orchestration: `$TABULA_CACHE` (default ~/.cache/tabula) holds
`venv-<hash>/` (see conversion_venv.py) and `models/<key>/{tiny,real}.{task,gguf}`, where <key> hashes
requirements.txt and every *.py of this folder, so a change to the recipe builds anew. A model is
converted in the venv by convert_model.py under a temporary name, checked, then renamed into place:
an interrupted build never leaves a half-written model, and a present model is never rebuilt.
`--print-path` prints only the model's absolute path on stdout (building it first if missing);
every log goes to stderr. Standard library only: runs on the host Python, never imports torch.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the working tree

import argparse  # noqa: E402
import contextlib  # noqa: E402
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import conversion_venv  # noqa: E402
import task_bundle  # noqa: E402

HERE = Path(__file__).resolve().parent
MODELS = ("tiny", "real", "tiny-gguf", "real-gguf")


def _log(message: str) -> None:
    """Progress line on stderr."""
    print(f"[build_models] {message}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    """$TABULA_CACHE, or ~/.cache/tabula."""
    configured = os.environ.get("TABULA_CACHE") or str(Path.home() / ".cache" / "tabula")
    return Path(configured).expanduser().resolve()


def recipe_key() -> str:
    """Short hash of requirements.txt and the recipe's Python sources."""
    digest = hashlib.sha256()
    for path in sorted([conversion_venv.REQUIREMENTS, *HERE.glob("*.py")]):
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()[:16]


def model_path(cache: Path, name: str) -> Path:
    """Where the model of this recipe lives (whether or not it is built yet)."""
    stem, gguf = name.removesuffix("-gguf"), name.endswith("-gguf")
    return cache / "models" / recipe_key() / f"{stem}.{'gguf' if gguf else 'task'}"


@contextlib.contextmanager
def build_lock(cache: Path) -> Iterator[None]:
    """Serialises builds across processes (e.g. parallel test workers)."""
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(folder: Path) -> None:
    """Deletes temporary files and work dirs of builds that were killed (call under the lock)."""
    for leftover in folder.glob(".*"):
        _log(f"removing leftover {leftover}")
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()


def _convert(python: Path, name: str, tmp: Path) -> None:
    """Runs convert_model.py in the venv, its output on stderr."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    script = "gguf_model.py" if name.endswith("-gguf") else "convert_model.py"
    command = [str(python), str(HERE / script), name, str(tmp)]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=sys.stderr, env=env, cwd=HERE)
    _log(f"converted {name} in {time.monotonic() - started:.0f} s")


def _publish(tmp: Path, out: Path) -> None:
    """Checks the bundle, flushes it to disk and renames it into place."""
    problems = None if out.suffix == ".gguf" else task_bundle.check_task(tmp)  # gguf_model.py checks its own
    if problems:
        raise RuntimeError(f"{tmp}: {problems}")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, out)
    directory = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def build(cache: Path, name: str) -> Path:
    """Returns the model's path, building it (and the venv) first when it is missing."""
    out = model_path(cache, name)
    if out.exists():
        return out
    with build_lock(cache):
        if out.exists():
            return out
        python = conversion_venv.ensure_venv(cache)
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out.parent)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            _convert(python, name, tmp)
            _publish(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    return out


def describe(path: Path) -> str:
    """'<path>  <size> bytes  sha256 <hex>'."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{path}  {path.stat().st_size} bytes  sha256 {digest.hexdigest()}"


def main(argv: list[str] | None = None) -> int:
    """Builds the requested models; prints a path or a size/sha256 summary."""
    parser = argparse.ArgumentParser(description="Build the .task and .gguf test models into the cache.")
    parser.add_argument("--which", choices=(*MODELS, "all"), default="all")
    parser.add_argument("--print-path", choices=MODELS, help="print only this model's path")
    args = parser.parse_args(argv)
    cache = cache_root()
    if args.print_path:
        path = build(cache, args.print_path)
        _log(describe(path))
        print(path)
        return 0
    for name in MODELS if args.which == "all" else (args.which,):
        print(f"{name}: {describe(build(cache, name))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
