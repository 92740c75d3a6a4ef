"""The conversion venv: `$TABULA_CACHE/venv-<hash>`, made from tests/models/requirements.txt.

Owns creating, completing and finding that venv. The hash covers requirements.txt and the Python
version; a venv counts as ready only once the `.tabula-ready` marker is written after a complete
install, so an interrupted install is wiped and redone. torch is installed first and by itself,
and refused if it would pull CUDA packages. Standard library only: runs on the host Python.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
_READY = ".tabula-ready"


def _log(message: str) -> None:
    """Progress line on stderr (stdout may be reserved for --print-path)."""
    print(f"[venv] {message}", file=sys.stderr, flush=True)


def venv_dir(cache: Path) -> Path:
    """Where the venv for this requirements.txt and this Python lives."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"python{sys.version_info.major}.{sys.version_info.minor}".encode())
    return cache / f"venv-{digest.hexdigest()[:16]}"


def venv_python(venv: Path) -> Path:
    """The venv's interpreter."""
    return venv / "bin" / "python"


def _torch_pin() -> str:
    """The `torch==X` line of requirements.txt."""
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("torch=="):
            return line.strip()
    raise ValueError(f"no torch== pin in {REQUIREMENTS}")


def _pip(python: Path, *args: str) -> None:
    """Runs pip in the venv; its output goes to stderr."""
    subprocess.run([str(python), "-m", "pip", *args], check=True, stdout=sys.stderr)


def _refuse_cuda_torch(python: Path, pin: str) -> None:
    """Fails before downloading if pip would resolve torch to a CUDA build (nvidia-* deps)."""
    report = subprocess.run(
        [str(python), "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-", pin],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = [item["metadata"]["name"] for item in json.loads(report).get("install", [])]
    cuda = sorted(name for name in names if name.lower().startswith("nvidia"))
    if cuda:
        raise RuntimeError(
            f"pip would install a CUDA torch for {pin!r} (pulls {', '.join(cuda)}); "
            "give pip a CPU wheel (PIP_FIND_LINKS or PIP_EXTRA_INDEX_URL) and retry"
        )


def ensure_venv(cache: Path) -> Path:
    """Returns the ready venv's python, creating and installing the venv when needed."""
    venv = venv_dir(cache)
    if (venv / _READY).exists() and venv_python(venv).exists():
        return venv_python(venv)
    if venv.exists():
        _log(f"removing incomplete {venv}")
        shutil.rmtree(venv)
    _log(f"creating {venv}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdout=sys.stderr)
    python = venv_python(venv)
    pin = _torch_pin()
    _refuse_cuda_torch(python, pin)
    _pip(python, "install", pin)
    _pip(python, "install", "-r", str(REQUIREMENTS))
    (venv / _READY).write_text(REQUIREMENTS.read_text(encoding="utf-8"), encoding="utf-8")
    _log(f"ready: {venv}")
    return python
