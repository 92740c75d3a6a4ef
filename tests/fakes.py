"""Typed, hand-written fakes of the ports, for CPython unit tests of pure logic.

Each fake records what the core asked of it and behaves as the real adapter documents;
none of them pretends to be JS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tabula.chat.ports import SaveFailed, StorageFull
from tabula.cloud.ports import CloudCall
from tabula.cloud.wire import CloudError, CloudRequest
from tabula.engine.errors import EngineError, Problem, classify
from tabula.engine.ports import Taken
from tabula.models.transfers import FileChoice, Quota, Stored, Transfer


@dataclass
class FakePage:
    """ui.ports.Page: remembers what was painted, in order."""

    hash_: str = ""
    online: bool = True
    calls: list[tuple[str, tuple]] = field(default_factory=list)
    view: str = ""
    title: str = ""
    nav: str = ""
    net: tuple[str, bool] = ("", True)
    engine: str = ""
    route: str = ""
    banner: str = ""
    blocked: bool = False
    boot: tuple[str, str] = ("booting", "")
    focused: int = 0
    regions: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, str]] = field(default_factory=dict)
    composer_cleared: int = 0
    filled: dict[str, str] = field(default_factory=dict)
    appearance: tuple[str, str, dict[str, str]] = ("", "", {})

    def set_view(self, html: str, title: str) -> None:
        self.calls.append(("set_view", (title,)))
        self.view, self.title = html, title

    def set_region(self, region_id: str, html: str) -> None:
        self.calls.append(("set_region", (region_id,)))
        self.regions[region_id] = html

    def set_items(self, region_id: str, keys: list[str], changed: dict[str, str]) -> None:
        """As the browser: the region's items by key; `regions` holds the HTML they make."""
        self.calls.append(("set_items", (region_id, tuple(keys), tuple(changed))))
        items = self.items.setdefault(region_id, {})
        items.update(changed)
        self.items[region_id] = {key: items[key] for key in keys}
        self.regions[region_id] = "".join(self.items[region_id].values())

    def clear_composer(self) -> None:
        self.calls.append(("clear_composer", ()))
        self.composer_cleared += 1

    def fill(self, element_id: str, text: str) -> None:
        self.calls.append(("fill", (element_id,)))
        self.filled[element_id] = text

    def set_nav(self, current: str) -> None:
        self.calls.append(("set_nav", (current,)))
        self.nav = current

    def set_net(self, label: str, online: bool) -> None:
        self.calls.append(("set_net", (label, online)))
        self.net = (label, online)

    def set_engine(self, label: str) -> None:
        self.calls.append(("set_engine", (label,)))
        self.engine = label

    def set_route(self, label: str) -> None:
        self.calls.append(("set_route", (label,)))
        self.route = label

    def set_banner(self, html: str) -> None:
        self.calls.append(("set_banner", (html,)))
        self.banner = html

    def set_blocked(self, blocked: bool) -> None:
        self.calls.append(("set_blocked", (blocked,)))
        self.blocked = blocked

    def set_appearance(self, lang: str, theme: str, labels: dict[str, str]) -> None:
        self.calls.append(("set_appearance", (lang, theme)))
        self.appearance = (lang, theme, labels)

    def set_boot_state(self, state: str, message: str = "") -> None:
        self.calls.append(("set_boot_state", (state, message)))
        self.boot = (state, message)

    def focus_view(self) -> None:
        self.focused += 1

    def current_hash(self) -> str:
        return self.hash_

    def is_online(self) -> bool:
        return self.online


@dataclass
class FakeUpdates:
    """ui.ports.Updates: an update may wait; apply() consumes it like a reload would (unless
    `reloads` is off: the page stayed, as when the browser has not yet let the new version in)."""

    pending: bool = False
    taken_elsewhere: bool = False
    applied: int = 0
    checks: int = 0
    reloads: bool = True

    def waiting(self) -> bool:
        return self.pending

    def elsewhere(self) -> bool:
        return self.taken_elsewhere

    def apply(self) -> bool:
        if not (self.pending or self.taken_elsewhere):
            return False
        if self.reloads:
            self.pending = self.taken_elsewhere = False
        self.applied += 1
        return True

    async def check(self) -> bool:
        self.checks += 1
        return True


class FakeEngine:
    """engine.ports.Engine that streams a script of tokens and is exclusive like LlmInference.

    - A call while another is running raises EngineError(BUSY), as MediaPipe does, and is
      recorded in `overlaps` so tests can prove the queue never overlaps calls.
    - `cancel_works=False` (MediaPipe 0.10.29 on .task models) ignores cancel and runs on.
    - `hang=True` makes generate stop producing tokens and never return (a stuck engine);
      `hang_after=n` does so after n tokens.
    - Its text is pulled, as llm.js's: deltas are buffered with the time of the last activity,
      and `take()` drains them (`deltas` and `takes` count both).
    - `prefill` seconds, plus `prefill_per_word` for each word of the prompt, pass before the
      first token (the engine reads the whole prompt first; slow on a slow GPU).
    - `fail_with` makes the next generate raise that error.
    - As MediaPipe, `maxTokens` (if given) counts prompt + answer: the answer stops where the two
      reach it, without a word; `generated` says how many tokens it took (the host's count).
    - `options` are fixed at creation, as in MediaPipe 0.10.29 (its setOptions() throws without
      a model asset): with temperature > 0 and topK > 1 it samples, i.e. each answer is the
      script in an order drawn from a generator seeded once with randomSeed; else the script.
    - `destroy()` frees it even while busy (the real one terminates its worker): a generation
      running then fails at once, as a terminated worker's pending request does.
    """

    def __init__(
        self,
        tokens: list[str] | None = None,
        *,
        delay: float = 0.001,
        prefill: float = 0.0,
        prefill_per_word: float = 0.0,
        cancel_works: bool = False,
        label: str = "fake",
        options: dict[str, float | int] | None = None,
        family: str = "gemma3",
        hang_after: int | None = None,
    ) -> None:
        self.tokens = tokens if tokens is not None else ["Hello", " there", ",", " friend", "."]
        self.delay, self.prefill, self.cancel_works, self.label = delay, prefill, cancel_works, label
        self.family = family  # the chat template this model was trained with (engine.ports.Engine)
        self.generated: int | None = None  # as MediaPipe's host: how many tokens the last answer took
        self.prefill_per_word = prefill_per_word
        self.created_with = dict(options or {})
        self._rng = random.Random(self.created_with.get("randomSeed", 0))
        self.hang = False
        self.destroyed = False
        self._ended = asyncio.Event()
        self.fail_with: EngineError | None = None
        self.busy = False
        self.closed = False
        self.cancelled = 0
        self.prompts: list[str] = []
        self.media: list[tuple] = []  # each generate's attachments (issue #25)
        self.exact: list[bool] = []  # each generate's `exact` (greedy, for transcriptions)
        self.options: list[dict[str, float | int]] = []
        self.overlaps = 0
        self._cancel_now = False
        self.hang_after = hang_after
        self._buffer, self._first, self._last = "", None, time.monotonic()
        self.deltas = self.takes = 0

    def _enter(self) -> None:
        if self.busy:
            self.overlaps += 1
            raise EngineError(Problem.BUSY, "Previous invocation or loading is still ongoing.")
        self.busy = True

    async def generate(self, prompt: str, media: tuple = (), exact: bool = False) -> str:
        self._enter()
        self.prompts.append(prompt)
        self.media.append(tuple(media))
        self.exact.append(exact)
        self._cancel_now, self.generated = False, 0
        self._buffer, self._first, self._last = "", None, time.monotonic()
        try:
            if self.fail_with is not None:
                error, self.fail_with = self.fail_with, None
                raise error
            out = ""
            await asyncio.sleep(self.prefill + self.prefill_per_word * len(prompt.split()))
            room = int(self.created_with.get("maxTokens", 10**9)) - len(prompt.split())
            for index, token in enumerate(self._sampled()[: max(0, room)]):  # maxTokens: prompt + answer
                if self.hang or index == self.hang_after:
                    await self._ended.wait()
                if self.destroyed:
                    raise EngineError(Problem.UNKNOWN, "the engine was ended")
                if self._cancel_now:
                    break
                await asyncio.sleep(self.delay)
                out += token
                self._delta(token)
                self.generated = index + 1
            return out
        finally:
            self.busy = False
            self._last = time.monotonic()

    def _delta(self, token: str) -> None:
        """As llm.js: buffer the delta and note the activity."""
        self._buffer += token
        self._last = time.monotonic()
        self._first = self._first if self._first is not None else self._last
        self.deltas += 1

    def take(self) -> Taken:
        now, text = time.monotonic(), self._buffer
        self._buffer = ""
        self.takes += 1
        return Taken(text, now - self._last, None if self._first is None else now - self._first)

    async def count_tokens(self, text: str) -> int:
        self._enter()
        try:
            await asyncio.sleep(0)
            return len(text.split()) if text else 0
        finally:
            self.busy = False

    def _sampled(self) -> list[str]:
        options = self.created_with
        if options.get("temperature", 0) > 0 and options.get("topK", 1) > 1:
            return self._rng.sample(self.tokens, len(self.tokens))
        return self.tokens

    async def set_options(self, options: dict[str, float | int]) -> None:
        """Not in the port: as MediaPipe 0.10.29's, it throws without a model asset."""
        self.options.append(dict(options))
        raise classify("No model asset provided.")

    def cancel(self) -> None:
        self.cancelled += 1
        if self.cancel_works:
            self._cancel_now = True

    async def close(self) -> None:
        if self.busy:
            raise EngineError(Problem.BUSY, "close while busy")
        self.closed = True

    def destroy(self) -> None:
        self.destroyed = True
        self._ended.set()

    @property
    def live(self) -> bool:
        """Still holding its (GPU) memory: neither closed nor destroyed."""
        return not (self.closed or self.destroyed)


class FakeEngineFactory:
    """An EngineFactory that builds FakeEngines and remembers them (newest last)."""

    def __init__(self, load_seconds: float = 0.0, **engine_options: object) -> None:
        self.engine_options, self.load_seconds = engine_options, load_seconds
        self.built: list[FakeEngine] = []
        self.fail_with: EngineError | None = None
        self.abandoned = 0  # loads cancelled before they finished

    async def __call__(self) -> FakeEngine:
        try:
            await asyncio.sleep(self.load_seconds)
        except asyncio.CancelledError:
            self.abandoned += 1
            raise
        if self.fail_with is not None:
            raise self.fail_with
        self.built.append(FakeEngine(**self.engine_options))  # type: ignore[arg-type]
        return self.built[-1]

    def live(self) -> int:
        """Engines built here that still hold their memory."""
        return sum(engine.live for engine in self.built)


class FakeCreateEngine:
    """models.selection.CreateEngine: records every (url, stored, label, options) it was asked
    to load and builds a FakeEngine with those options; `fail_with` makes every load fail."""

    def __init__(self, **engine_options: object) -> None:
        self.engine_options = engine_options
        self.calls: list[tuple[str, str, str, dict[str, float | int]]] = []
        self.built: list[FakeEngine] = []
        self.fail_with: EngineError | None = None

    async def __call__(
        self, url: str, stored: str, label: str, options: dict[str, float | int]
    ) -> FakeEngine:
        self.calls.append((url, stored, label, dict(options)))
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        self.built.append(FakeEngine(label=label, options=options, **self.engine_options))  # type: ignore[arg-type]
        return self.built[-1]


@dataclass
class FakeKeyValueStore:
    """core.ports.KeyValueStore in a dict."""

    data: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value


@dataclass
class FakePainter:
    """chat.ports.StreamPainter that records what each message showed, frame by frame."""

    shown: dict[int, list[str]] = field(default_factory=dict)
    repaints: int = 0
    frame_s: float = 0.005  # how often a followed message's text is pulled, as frames would
    followed: dict[int, asyncio.Task] = field(default_factory=dict)

    def show(self, message_id: int, text: str) -> None:
        self.shown.setdefault(message_id, []).append(text)

    def follow(self, message_id: int, pull: Callable[[], object]) -> None:
        async def frames() -> None:
            while True:
                pull()
                await asyncio.sleep(self.frame_s)

        self.followed[message_id] = asyncio.ensure_future(frames())

    def repaint(self) -> None:
        self.repaints += 1

    def forget(self, message_id: int) -> None:
        self.shown.pop(message_id, None)
        task = self.followed.pop(message_id, None)
        if task is not None:
            task.cancel()


class FakeModelStore:
    """models.ports.ModelStore in memory, following pwa/js/model_bytes.js: a model is numbered chunk
    "files" (index -> bytes) plus the meta of its commit. A chunk is stored whole or not at all,
    so a dropped transfer loses the chunk it was in. Remote files are registered with serve().

    Scripting: drop_after(url, n) cuts the next response to that url after n bytes (one entry
    per fetch, consumed in order); status(url, code) makes it answer an HTTP error; corrupt(url)
    serves altered bytes; replace(url, data) puts another file there (a new ETag); ignore_range(url)
    answers 200 with the whole file to every Range; misrange(url) answers a 206 from the wrong
    offset. `writes` lists every chunk write as (model id, index). abort(id) stops the model's running transfer; like the JS, it does
    nothing when none runs. `capacity` is the room the browser gives models (None: no limit).
    """

    def __init__(self) -> None:
        self.models: dict[str, dict[int, bytes]] = {}
        self.meta: dict[str, str] = {}
        self.remote: dict[str, tuple[bytes, bool]] = {}  # url -> (data, sends its length)
        self.types: dict[str, str] = {}  # url -> its Content-Type
        self.etags: dict[str, str] = {}
        self.ignoring: set[str] = set()
        self.misranged: set[str] = set()
        self.writes: list[tuple[str, int]] = []
        self.drops: dict[str, list[int]] = {}
        self.statuses: dict[str, int] = {}
        self.quota = Quota(quota=10**12, usage=0, persisted=False)
        self.capacity: int | None = None
        self.granted = True
        self.persist_calls = 0
        self.fetches: list[tuple[str, str, int]] = []  # (model id, url, start) of every fetch
        self.imports: list[str] = []
        self._running: set[str] = set()
        self._aborted: set[str] = set()
        self.hooks: dict[str, Callable[[], None]] = {}  # method name -> called once as it suspends

    async def _step(self, method: str) -> None:
        """Suspend, as every await of model_bytes.js does; a hook set for `method` runs there once
        (a click landing while OPFS is busy)."""
        hook = self.hooks.pop(method, None)
        if hook is not None:
            hook()
        await asyncio.sleep(0)

    def serve(
        self, url: str, data: bytes, length: bool = True, content_type: str = "application/octet-stream"
    ) -> None:
        """Host `data` at `url`; with length=False the server sends no Content-Length."""
        self.remote[url] = (data, length)
        self.types[url] = content_type
        self.etags[url] = f'"{hashlib.sha256(data).hexdigest()[:16]}"'

    def replace(self, url: str, data: bytes) -> None:
        self.serve(url, data, self.remote[url][1], self.types[url])

    def ignore_range(self, url: str) -> None:
        self.ignoring.add(url)

    def misrange(self, url: str) -> None:
        self.misranged.add(url)

    def drop_after(self, url: str, n_bytes: int) -> None:
        self.drops.setdefault(url, []).append(n_bytes)

    def status(self, url: str, code: int) -> None:
        self.statuses[url] = code

    def corrupt(self, url: str) -> None:
        data, length = self.remote[url]
        middle = len(data) // 2
        self.remote[url] = (data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :], length)

    def bytes_of(self, model_id: str) -> bytes:
        return b"".join(chunk for _, chunk in sorted(self.models.get(model_id, {}).items()))

    @property
    def used(self) -> int:
        return sum(len(c) for chunks in self.models.values() for c in chunks.values())

    async def stored(self) -> list[Stored]:
        await self._step("stored")
        return [Stored(mid, len(self.bytes_of(mid)), self.meta.get(mid)) for mid in self.models]

    async def prepare(self, model_id: str, chunk: int, total: int | None) -> int:
        await self._step("prepare")
        chunks, offset = self.models.setdefault(model_id, {}), 0
        for position, index in enumerate(sorted(chunks)):
            size = len(chunks[index])
            fits = index == position and (size == chunk or offset + size == total)
            if fits and offset == position * chunk:
                offset += size
            else:
                del chunks[index]
        return offset

    async def fetch(
        self, model_id: str, url: str, start: int, chunk: int, on_progress: Callable[[int], None],
        refuse: tuple[str, ...] = (), validator: str = "", whole: bool = False,
    ) -> Transfer:  # fmt: skip
        self.fetches.append((model_id, url, start))
        self._running.add(model_id)
        try:
            await self._step("fetch")
            if url in self.statuses or url not in self.remote:
                return Transfer("http", start, None, self.statuses.get(url, 404), "refused")
            data, length = self.remote[url]
            total, tag = len(data) if length else None, self.etags[url]
            status = 200 if start == 0 or url in self.ignoring else 206
            refused = self._refusal(url, start, status, validator, whole, refuse)
            if refused:
                return Transfer(refused, start, total, status, self.types[url], tag)
            drops = self.drops.get(url)
            cut = start + drops.pop(0) if drops else len(data)
            done = await self._copy(model_id, data[:cut], start, len(data), chunk, on_progress, total)
            return dataclasses.replace(done, status=status, validator=tag)
        finally:
            self._running.discard(model_id)
            self._aborted.discard(model_id)

    def _refusal(
        self, url: str, start: int, status: int, validator: str, whole: bool, refuse: tuple[str, ...]
    ) -> str:
        """What model_bytes.js refuses before storing a byte (its refusal()), or ""."""
        if any(self.types[url].lower().startswith(refused) for refused in refuse):
            return "type"
        if validator and self.etags[url] != validator:
            return "changed"
        if status == 206 and url in self.misranged:
            return "range"
        return "whole" if status == 200 and start > 0 and not whole else ""

    async def _copy(
        self, model_id: str, data: bytes, start: int, size: int, chunk: int,
        on_progress: Callable[[int], None], total: int | None, kind: str = "network",
    ) -> Transfer:  # fmt: skip
        """Write data[start:] as whole chunks; a short piece stays only if it ends the file."""
        at = start
        while at < size:
            piece = data[at : at + chunk]
            if model_id in self._aborted:
                return Transfer("aborted", at, total, message="AbortError")
            if len(piece) < min(chunk, size - at):  # the data ends inside this chunk
                return Transfer(kind, at, total, message="the connection was reset")
            if self.capacity is not None and self.used + len(piece) > self.capacity:
                return Transfer("quota", at, total, message="QuotaExceededError")
            self.models.setdefault(model_id, {})[at // chunk] = piece
            self.writes.append((model_id, at // chunk))
            at += len(piece)
            on_progress(at)
            await asyncio.sleep(0)
        return Transfer("done", at, total)

    async def head(self, model_id: str, size: int) -> bytes:
        await asyncio.sleep(0)
        return self.bytes_of(model_id)[:size]

    def abort(self, model_id: str) -> None:
        if model_id in self._running:
            self._aborted.add(model_id)

    async def import_file(
        self, file: FileChoice, model_id: str, chunk: int, on_progress: Callable[[int], None]
    ) -> Transfer:
        assert isinstance(file.handle, bytes), "tests pass the file's bytes as its handle"
        self.imports.append(model_id)
        self.models.setdefault(model_id, {})
        return await self._copy(model_id, file.handle, 0, file.size, chunk, on_progress, file.size, "read")

    async def digest(self, model_id: str, on_progress: Callable[[int], None]) -> tuple[str, int]:
        await self._step("digest")
        if model_id not in self.models:
            raise RuntimeError(f"NotFoundError: no folder {model_id}")
        data = self.bytes_of(model_id)
        on_progress(len(data))
        return hashlib.sha256(data).hexdigest(), len(data)

    async def commit(self, model_id: str, meta: str) -> None:
        await self._step("commit")
        if model_id not in self.models:
            raise RuntimeError(f"NotFoundError: no folder {model_id}")
        self.meta[model_id] = meta

    async def remove(self, model_id: str) -> None:
        await self._step("remove")
        self.abort(model_id)
        self.models.pop(model_id, None)
        self.meta.pop(model_id, None)

    async def estimate(self) -> Quota:
        await self._step("estimate")
        return self.quota

    async def can_store(self, size: int) -> bool:
        await self._step("can_store")
        return self.capacity is None or self.used + size <= self.capacity

    async def persist(self) -> bool:
        await self._step("persist")
        self.persist_calls += 1
        return self.granted


class FakeChatStore:
    """chat.ports.ChatStore in memory, following py/tabula/browser/indexeddb.py: each conversation is
    one entry holding its record as JSON text, so a record round-trips as IndexedDB keeps it, and
    a value that is not JSON loads as None. damage(id) plants such a value.

    Like IndexedDB under a quota, a write can fail whole: while `full` is set every save and
    delete raises StorageFull and changes nothing (fail_next() fails one write with any error).
    hold() makes the next write suspend at its await until the returned event is set, so a test
    can keep one write in flight while others start."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.saves: list[str] = []  # the id of every save that reached the disk, in order
        self.deletes: list[str] = []
        self.full = False
        self.failures: list[SaveFailed] = []  # raised by the next writes, one each
        self.refused: list[str] = []  # the id of every write that failed
        self.in_flight = 0  # writes started and not finished (most at once: `most_in_flight`)
        self.most_in_flight = 0
        self._holds: list[asyncio.Event] = []

    def damage(self, conversation_id: str, raw: str = "{not json") -> None:
        self.values[conversation_id] = raw

    def record(self, conversation_id: str) -> object:
        """The record stored under `conversation_id`, as load() would read it."""
        return json.loads(self.values[conversation_id])

    def hold(self) -> asyncio.Event:
        """The next write waits at its await until the returned event is set."""
        self._holds.append(asyncio.Event())
        return self._holds[-1]

    def fail_next(self, error: SaveFailed) -> None:
        self.failures.append(error)

    async def load(self) -> list[object]:
        await asyncio.sleep(0)
        records: list[object] = []
        for value in self.values.values():
            try:
                records.append(json.loads(value))
            except (TypeError, ValueError):
                records.append(None)
        return records

    async def _write(self, conversation_id: str) -> None:
        """The platform's part of a write: it suspends, then commits or fails whole."""
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await (self._holds.pop(0).wait() if self._holds else asyncio.sleep(0))
            if self.full or self.failures:
                self.refused.append(conversation_id)
                raise self.failures.pop(0) if self.failures else StorageFull("QuotaExceededError")
        finally:
            self.in_flight -= 1

    async def save(self, conversation_id: str, record: dict) -> None:
        text = json.dumps(record)  # what the adapter writes, taken when the save is asked for
        await self._write(conversation_id)
        self.values[conversation_id] = text
        self.saves.append(conversation_id)

    async def delete(self, conversation_id: str) -> None:
        await self._write(conversation_id)
        self.deletes.append(conversation_id)
        self.values.pop(conversation_id, None)


def sse(text: str, finish: str = "") -> str:
    """One Gemini SSE event carrying `text` (what streamGenerateContent sends); `finish` is the
    finishReason the last event carries (STOP, MAX_TOKENS...)."""
    candidate = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
    event = {"candidates": [{**candidate, **({"finishReason": finish} if finish else {})}]}
    return f"data: {json.dumps(event)}\n\n"


@dataclass(eq=False)
class FakeCall:
    """One request the FakeCloudClient holds open until the test answers it."""

    request: CloudRequest
    chunks: asyncio.Queue = field(default_factory=asyncio.Queue)  # str pieces, None = end
    cancelled: bool = False

    def send(self, *pieces: str) -> None:
        for piece in pieces:
            self.chunks.put_nowait(piece)

    def end(self) -> None:
        self.chunks.put_nowait(None)

    def turns(self) -> list[tuple[str, str]]:
        body = json.loads(self.request.body)
        return [(c["role"], "".join(p["text"] for p in c["parts"])) for c in body["contents"]]


class FakeCloudClient:
    """cloud.ports.CloudClient over the network of a test: every request waits until the test
    answers it piece by piece (`next_call()`, then `send`/`end`). Like fetch with an
    AbortController, a request's own CloudCall cancels it alone, failing it with
    CloudError("cancelled") — but with `late=True` a chunk the network had already read when the
    cancel came is still delivered first, as a read that resolved before the abort is."""

    def __init__(self, late: bool = False) -> None:
        self.calls: list[FakeCall] = []
        self.late = late
        self._arrived: asyncio.Queue[FakeCall] = asyncio.Queue()

    async def next_call(self, timeout: float = 2.0) -> FakeCall:
        return await asyncio.wait_for(self._arrived.get(), timeout)

    def _open(self, request: CloudRequest) -> FakeCall:
        call = FakeCall(request)
        self.calls.append(call)
        self._arrived.put_nowait(call)
        return call

    async def _pieces(self, call: FakeCall, on_text: Callable[[str], None]) -> None:
        while True:
            piece = await call.chunks.get()
            if piece and (self.late or not call.cancelled):
                on_text(piece)  # read before the abort landed: it still arrives
            if call.cancelled:
                raise CloudError("cancelled", "Stopped.")
            if piece is None:
                return

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None], call: CloudCall) -> None:
        held = self._open(request)
        call.bind(lambda: self.cancel_one(held))
        await self._pieces(held, on_text)

    async def send(self, request: CloudRequest, call: CloudCall) -> str:
        parts: list[str] = []
        await self.stream(request, parts.append, call)
        return "".join(parts)

    def cancel_one(self, call: FakeCall) -> None:
        call.cancelled = True
        call.chunks.put_nowait("")  # wake the reader, as an abort does


class FakeLocks:
    """navigator.locks for one origin, shared by its windows: one lock; `window()` gives each
    window its models.ports.WindowLock. Like Web Locks, a steal grants the new window at once and
    the old holder hears its request abort (on_lost)."""

    def __init__(self) -> None:
        self.holder: FakeWindowLock | None = None


class FakeWindowLock:
    def __init__(self, locks: FakeLocks) -> None:
        self.locks = locks
        self.on_lost: Callable[[], None] | None = None

    async def hold(self, steal: bool, on_lost: Callable[[], None]) -> bool:
        await asyncio.sleep(0)
        before = self.locks.holder
        if before is not None and before is not self and not steal:
            return False
        self.locks.holder, self.on_lost = self, on_lost
        if before is not None and before is not self and before.on_lost is not None:
            before.on_lost()
        return True


class FakeBroadcast:
    """One BroadcastChannel name shared by windows: `window(on_message)` gives each its
    chat.ports.Broadcast; a post reaches every other window (never the sender), later, as a
    message event does."""

    def __init__(self) -> None:
        self.windows: list[tuple[FakeBroadcastEnd, Callable[[str], None]]] = []
        self.sent: list[str] = []

    def window(self, on_message: Callable[[str], None]) -> FakeBroadcastEnd:
        end = FakeBroadcastEnd(self)
        self.windows.append((end, on_message))
        return end


class FakeBroadcastEnd:
    def __init__(self, hub: FakeBroadcast) -> None:
        self.hub = hub

    def post(self, text: str) -> None:
        self.hub.sent.append(text)
        loop = asyncio.get_event_loop()
        for end, on_message in self.hub.windows:
            if end is not self:
                loop.call_soon(on_message, text)


class FakeMediaStore:
    """media.ports.MediaStore in memory: a picked "file" is a dict {name, type, size, ok, ...};
    prepare() stores it (a downscaled photo's facts, or an audio clip's) unless `ok` is False,
    as the browser refuses a file it cannot decode. Recording gives `recorded` seconds."""

    def __init__(self, microphone: str = "", recorded: float = 3.0) -> None:
        self.stored: dict[str, tuple[str, str, str]] = {}  # id -> (kind, mime, base64)
        self.microphone, self.recorded, self.recording = microphone, recorded, False

    def describe(self, file: object) -> tuple[str, str, int]:
        return file["name"], file.get("type", ""), file.get("size", 1000)

    async def prepare(self, file: object, attachment_id: str, kind: str, limits: dict) -> dict:
        await asyncio.sleep(0)
        if not file.get("ok", True):
            return {"error": "EncodingError"}
        if kind == "image":
            scale = min(1, limits["maxSide"] / max(file["width"], file["height"]))
            found = {
                "mime": "image/jpeg",
                "width": round(file["width"] * scale),
                "height": round(file["height"] * scale),
            }
        else:
            seconds = file.get("seconds", 2.0)
            found = {
                "mime": "audio/wav",
                "seconds": min(seconds, limits["maxSeconds"]),
                "full_seconds": seconds,
            }
        self.stored[attachment_id] = (kind, found["mime"], "QUJD")
        return {**found, "size": 3}

    async def start_recording(self) -> str:
        self.recording = not self.microphone
        return self.microphone

    async def stop_recording(self, attachment_id: str, limits: dict) -> dict:
        self.recording = False
        self.stored[attachment_id] = ("audio", "audio/wav", "UklGRg==")
        return {"mime": "audio/wav", "size": 44, "seconds": self.recorded, "full_seconds": self.recorded}

    def cancel_recording(self) -> None:
        self.recording = False

    async def read(self, attachment_id: str) -> tuple[str, str] | None:
        found = self.stored.get(attachment_id)
        return None if found is None else (found[1], found[2])

    async def write(self, attachment_id: str, kind: str, mime: str, data: str) -> None:
        self.stored[attachment_id] = (kind, mime, data)

    async def ids(self) -> list[str]:
        return list(self.stored)

    async def delete(self, attachment_id: str) -> None:
        self.stored.pop(attachment_id, None)


class FakeDocuments:
    """chat.ports.DocumentReader over a PDF given as its pages' text ("" for a page that is an
    image): read() gives them, render() draws a page as a picture the fake media store takes
    ({name, width, height}), except `broken` pages ({"error"}); `gate`, while set, holds each
    render until it is set; end_rendering() ends the drawing (a render waiting raises), and
    `drawn` and `ended` say what was asked. `on_render(page)` runs as a page is drawn."""

    def __init__(self, pages: list[str], broken: tuple[int, ...] = ()) -> None:
        self.pages, self.broken = pages, broken
        self.drawn: list[int] = []
        self.ended = 0
        self.gate: asyncio.Event | None = None
        self.on_render: Callable[[int], None] = lambda page: None
        self._waiting: asyncio.Future | None = None

    def describe(self, file: object) -> tuple[str, int]:
        return str(file), 1000

    async def head(self, file: object, count: int) -> bytes:
        return b"%PDF-1.7"[:count]

    async def read(
        self, file: object, kind: str, max_pages: int, progress: Callable[[int, int], None]
    ) -> dict:
        progress(len(self.pages), len(self.pages))
        return {"pages": list(self.pages)}

    def cancel(self) -> None:
        pass

    async def render(self, file: object, page: int, max_side: int) -> dict:
        self._waiting = asyncio.get_running_loop().create_future()
        if self.gate is not None:
            waited = asyncio.ensure_future(self.gate.wait())
            await asyncio.wait({waited, self._waiting}, return_when=asyncio.FIRST_COMPLETED)
            waited.cancel()
        if self._waiting.done():
            raise RuntimeError("the drawing worker was ended")
        self._waiting = None
        self.drawn.append(page)
        self.on_render(page)
        if page in self.broken:
            return {"error": "UnknownErrorException"}
        return {
            "image": {"name": f"{file}-{page}", "width": 595 * 2, "height": 842 * 2},
            "width": 724,
            "height": 1024,
        }

    def end_rendering(self) -> None:
        self.ended += 1
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)
