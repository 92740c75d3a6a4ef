"""Download records and arithmetic: progress, speed, ETA, retry delays, quota and HTTP messages. Pure.

The values that cross the ModelStore port (Transfer, Stored, Quota, FileChoice) live here too,
so the port carries plain data and the core never sees model bytes.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass

from tabula.core.ports import KeyValueStore
from tabula.i18n.translate import N_, tr

MB = 1_000_000
ACTIVE = frozenset({"checking", "downloading", "waiting", "verifying"})
STALL_SECONDS = 30  # no byte for this long (a sleeping tablet's dead connection): abort and retry
MARGIN = 50 * MB  # room left for chats and settings when a model fills the quota


@dataclass(frozen=True)
class Transfer:
    """How one fetch (or file copy) into the store ended."""

    kind: str  # done | http | network | aborted | quota | read, or refused: type | changed | range | whole
    written: int  # bytes stored whole: where to resume
    total: int | None = None
    status: int = 0
    message: str = ""
    validator: str = ""  # the response's ETag (else Last-Modified): which file the bytes came from


@dataclass(frozen=True)
class Stored:
    """A model folder on this device; `ready` is its verified record (JSON) or None if partial."""

    model_id: str
    bytes: int
    ready: str | None


@dataclass(frozen=True)
class Quota:
    quota: int | None = None
    usage: int | None = None
    persisted: bool | None = None
    files: str = "writable"  # how model files are written: writable | sync | none (cannot keep)

    @property
    def free(self) -> int | None:
        return None if self.quota is None else max(self.quota - (self.usage or 0), 0)


@dataclass(frozen=True)
class FileChoice:
    """A file the user picked: its name, size, first and last bytes (format.read_head's head:
    a GGUF's whole metadata), and an opaque handle."""

    name: str
    size: int
    head: bytes
    tail: bytes
    handle: object


@dataclass(frozen=True)
class PickedFile:
    """One file of a folder (or a selection of files) the user picked to import a model made of
    several: its path in the folder (`webkitRelativePath`, else its name), size and opaque handle."""

    path: str
    size: int
    handle: object


@dataclass(frozen=True)
class Download:
    """Where a model's download (or import) stands, for the Models page."""

    model_id: str
    phase: str  # checking | downloading | waiting | paused | verifying | ready | failed
    done: int = 0
    total: int | None = None
    speed: float | None = None  # bytes per second
    message: str = ""

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE

    @property
    def percent(self) -> int | None:
        return min(100, int(100 * self.done / self.total)) if self.total else None

    @property
    def eta(self) -> float | None:
        if not self.total or not self.speed:
            return None
        return max(self.total - self.done, 0) / self.speed


class Plans:
    """Unfinished downloads, kept in the key-value store so a reload resumes them:
    {model id: {"paused": bool, "switch": bool}}."""

    KEY = "tabula.downloads"
    VALIDATORS = "tabula.download-validators"  # {model id: the ETag/Last-Modified its bytes came with}

    def __init__(self, kv: KeyValueStore) -> None:
        self.kv = kv

    def all(self) -> dict[str, dict]:
        try:
            plans = json.loads(self.kv.get(self.KEY) or "{}")
        except ValueError:
            return {}
        return plans if isinstance(plans, dict) else {}

    def get(self, model_id: str, default: dict | None = None) -> dict | None:
        """The plan of the model (of its set, for one file of a set: "<set>/<file>")."""
        return self.all().get(model_id.split("/", 1)[0], default)

    def put(self, model_id: str, plan: dict | None) -> None:
        """Record `plan` for the model (or its set); None forgets it, and which file its bytes
        (each of its set's files') came from."""
        plans, model_id = self.all(), model_id.split("/", 1)[0]
        if plan is None:
            plans.pop(model_id, None)
            for known in [k for k in self._validators() if k == model_id or k.startswith(model_id + "/")]:
                self.remember(known, "")
        else:
            plans[model_id] = plan
        self.kv.set(self.KEY, json.dumps(plans, sort_keys=True))

    def validator(self, model_id: str) -> str:
        """The validator of the response the model's stored bytes came from ("" if unknown)."""
        return str(self._validators().get(model_id, ""))

    def remember(self, model_id: str, validator: str) -> None:
        """Record which file the stored bytes came from; "" forgets it."""
        known = self._validators()
        if validator:
            known[model_id] = validator
        else:
            known.pop(model_id, None)
        self.kv.set(self.VALIDATORS, json.dumps(known, sort_keys=True))

    def _validators(self) -> dict:
        try:
            known = json.loads(self.kv.get(self.VALIDATORS) or "{}")
        except ValueError:
            return {}
        return known if isinstance(known, dict) else {}


class RateMeter:
    """Speed over the last few seconds of (time, bytes) samples."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, done: int) -> float | None:
        """Record a sample; return bytes/s, or None until there is enough to tell."""
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 - t0 >= 0.5 and b1 >= b0 else None

    def reset(self) -> None:
        self._samples.clear()


def backoff(attempt: int) -> float:
    """Seconds to wait before retry `attempt` (1, 2, 4 … capped at 30)."""
    return float(min(2 ** max(attempt - 1, 0), 30))


def size_text(size: int) -> str:
    return f"{size / 1000 / MB:.1f} GB" if size >= 1000 * MB else f"{size / MB:.0f} MB"


CANNOT_KEEP = N_(
    "This browser cannot keep models on this device (it gives sites no file storage, or this is a "
    "private window), so models cannot be downloaded or imported here. The cloud engine still works, "
    "and so does a model that comes with this site."
)


def quota_problem(need: int, quota: Quota) -> str | None:
    """Why `need` more bytes will not fit, said before anything is downloaded; None if they fit."""
    if quota.files == "none":
        return tr(CANNOT_KEEP)
    free = quota.free
    if free is None or need + MARGIN <= free:
        return None
    return tr(
        "Not enough storage: this model needs {need} more, but the browser lets Tabula use only "
        "{free} more. Delete other models or free space on the device, then try again.",
        need=size_text(need + MARGIN),
        free=size_text(free),
    )


def http_problem(status: int) -> str:
    """A message for a download the server refused."""
    if status in (401, 403):
        return tr(
            "The model's host refused the download (HTTP {status}); it may need you to sign in "
            "and accept the licence. Download the file on a computer and use Import from file.",
            status=status,
        )
    if status == 404:
        return tr("The model file was not found at its address (HTTP 404).")
    if status == 416:
        return tr("The file on the server changed during the download. Delete it and start again.")
    return tr("The model's host answered HTTP {status}. Try again later.", status=status)


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return tr("less than a minute left")
    minutes = round(seconds / 60)
    if minutes < 90:
        return tr("about {minutes} min left", minutes=minutes)
    return tr("about {hours} h left", hours=f"{minutes / 60:.1f}")


# What a failed download or import tells the user (the Downloader's messages).
CHECKSUM = N_(
    "The downloaded file does not match the expected checksum: the file at {host} changed upstream, "
    "or something on the way altered it. It was deleted and will not be used."
)
STORAGE_FULL = N_(
    "Storage filled up during the download, so the partial file was deleted. Free space and try again."
)
HUB_CONFLICT = N_(
    "{host} and this site's catalogue disagree about this file's checksum, so it was not downloaded. "
    "Ask whoever runs this site to check the catalogue."
)
WEB_PAGE = N_(
    "{host} answered with a web page, not a model file: a Wi-Fi sign-in page (captive portal) or a "
    "page about the model came instead. Sign in to the network in the browser, or check the address, "
    "then try again."
)
NOT_A_MODEL_DOWNLOAD = N_(
    "What {host} sent is not a model file the app can use, so it was deleted. Check the address "
    "(it must be the file itself, not a page about it)."
)
REFUSED_TYPES = ("text/html", "application/xhtml")  # a page, never a model: refused before a byte is kept
INCOMPLETE_DOWNLOAD = N_(
    "What {host} sent is an incomplete model file (it ends too early), so it was deleted. "
    "Try again; if this happens again, the file on the server is broken."
)
CHANGED_RESTART = N_("The file on the server changed since the download began, so it starts again.")
WRONG_PART = N_(
    "{host} sent another part of the file than the one asked for, so none of it was kept. Try again later."
)
STORAGE_PAUSED = N_(
    "Storage is full. Free {need} on this device, then press Resume: the {done} downloaded so far are kept."
)
STORAGE_REFUSED = N_(
    "Not enough storage: the browser will not let Tabula keep {size} more. Delete other models "
    "or free space on the device, then try again."
)
