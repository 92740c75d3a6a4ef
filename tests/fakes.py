"""Typed, hand-written fakes of the ports, for CPython unit tests of pure logic.

Each fake records what the core asked of it and behaves as the real adapter documents;
none of them pretends to be JS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from tabula.errors import EngineError, Problem


@dataclass
class FakePage:
    """ports.Page: remembers what was painted, in order."""

    hash_: str = ""
    online: bool = True
    calls: list[tuple[str, tuple]] = field(default_factory=list)
    view: str = ""
    title: str = ""
    nav: str = ""
    net: tuple[str, bool] = ("", True)
    engine: str = ""
    banner: str = ""
    boot: tuple[str, str] = ("booting", "")
    focused: int = 0
    regions: dict[str, str] = field(default_factory=dict)
    composer_cleared: int = 0

    def set_view(self, html: str, title: str) -> None:
        self.calls.append(("set_view", (title,)))
        self.view, self.title = html, title

    def set_region(self, region_id: str, html: str) -> None:
        self.calls.append(("set_region", (region_id,)))
        self.regions[region_id] = html

    def clear_composer(self) -> None:
        self.calls.append(("clear_composer", ()))
        self.composer_cleared += 1

    def set_nav(self, current: str) -> None:
        self.calls.append(("set_nav", (current,)))
        self.nav = current

    def set_net(self, label: str, online: bool) -> None:
        self.calls.append(("set_net", (label, online)))
        self.net = (label, online)

    def set_engine(self, label: str) -> None:
        self.calls.append(("set_engine", (label,)))
        self.engine = label

    def set_banner(self, html: str) -> None:
        self.calls.append(("set_banner", (html,)))
        self.banner = html

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
    """ports.Updates: an update may wait; apply() consumes it like a reload would."""

    pending: bool = False
    applied: int = 0

    def waiting(self) -> bool:
        return self.pending

    def apply(self) -> bool:
        if not self.pending:
            return False
        self.pending = False
        self.applied += 1
        return True


class FakeEngine:
    """ports.Engine that streams a script of tokens and is exclusive like LlmInference.

    - A call while another is running raises EngineError(BUSY), as MediaPipe does, and is
      recorded in `overlaps` so tests can prove the queue never overlaps calls.
    - `cancel_works=False` (MediaPipe 0.10.29 on .task models) ignores cancel and runs on.
    - `hang=True` makes generate stop producing tokens and never return (a stuck engine).
    - `fail_with` makes the next generate raise that error.
    """

    def __init__(
        self,
        tokens: list[str] | None = None,
        *,
        delay: float = 0.001,
        cancel_works: bool = False,
        label: str = "fake",
    ) -> None:
        self.tokens = tokens if tokens is not None else ["Hello", " there", ",", " friend", "."]
        self.delay, self.cancel_works, self.label = delay, cancel_works, label
        self.hang = False
        self.fail_with: EngineError | None = None
        self.busy = False
        self.closed = False
        self.cancelled = 0
        self.prompts: list[str] = []
        self.options: list[dict[str, float | int]] = []
        self.overlaps = 0
        self._cancel_now = False

    def _enter(self) -> None:
        if self.busy:
            self.overlaps += 1
            raise EngineError(Problem.BUSY, "Previous invocation or loading is still ongoing.")
        self.busy = True

    async def generate(self, prompt: str, on_token: Callable[[str], None]) -> str:
        self._enter()
        self.prompts.append(prompt)
        self._cancel_now = False
        try:
            if self.fail_with is not None:
                error, self.fail_with = self.fail_with, None
                raise error
            out = ""
            for token in self.tokens:
                if self.hang:
                    await asyncio.Event().wait()
                if self._cancel_now:
                    break
                await asyncio.sleep(self.delay)
                out += token
                on_token(token)
            return out
        finally:
            self.busy = False

    async def count_tokens(self, text: str) -> int:
        self._enter()
        try:
            await asyncio.sleep(0)
            return len(text.split()) if text else 0
        finally:
            self.busy = False

    async def set_options(self, options: dict[str, float | int]) -> None:
        self._enter()
        try:
            await asyncio.sleep(0)
            self.options.append(dict(options))
        finally:
            self.busy = False

    def cancel(self) -> None:
        self.cancelled += 1
        if self.cancel_works:
            self._cancel_now = True

    async def close(self) -> None:
        if self.busy:
            raise EngineError(Problem.BUSY, "close while busy")
        self.closed = True


class FakeEngineFactory:
    """An EngineFactory that builds FakeEngines and remembers them (newest last)."""

    def __init__(self, **engine_options: object) -> None:
        self.engine_options = engine_options
        self.built: list[FakeEngine] = []
        self.fail_with: EngineError | None = None

    async def __call__(self) -> FakeEngine:
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        self.built.append(FakeEngine(**self.engine_options))  # type: ignore[arg-type]
        return self.built[-1]


@dataclass
class FakeKeyValueStore:
    """ports.KeyValueStore in a dict."""

    data: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value


@dataclass
class FakePainter:
    """ports.StreamPainter that records what each message showed, frame by frame."""

    shown: dict[int, list[str]] = field(default_factory=dict)
    repaints: int = 0

    def show(self, message_id: int, text: str) -> None:
        self.shown.setdefault(message_id, []).append(text)

    def repaint(self) -> None:
        self.repaints += 1

    def forget(self, message_id: int) -> None:
        self.shown.pop(message_id, None)
