"""Typed, hand-written fakes of the ports, for CPython unit tests of pure logic.

Each fake records what the core asked of it and behaves as the real adapter documents;
none of them pretends to be JS.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def set_view(self, html: str, title: str) -> None:
        self.calls.append(("set_view", (title,)))
        self.view, self.title = html, title

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
