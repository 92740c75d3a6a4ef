"""Protocols the pure core talks to; browser/ implements them, tests/fakes.py fakes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

ActionHandler = Callable[[str, dict[str, str]], None]


class Page(Protocol):
    """The document: the parts of the shell Python paints, and the events it listens to."""

    def set_view(self, html: str, title: str) -> None:
        """Replace the main view and the document title."""

    def set_nav(self, current: str) -> None:
        """Mark the navigation link for page `current` as the current page."""

    def set_net(self, label: str, online: bool) -> None:
        """Show the online/offline indicator."""

    def set_engine(self, label: str) -> None:
        """Show the engine badge text."""

    def set_banner(self, html: str) -> None:
        """Show a banner above the view ('' hides it)."""

    def set_boot_state(self, state: str, message: str = "") -> None:
        """Set <html data-tabula> to booting|ready|error (with a message for error)."""

    def focus_view(self) -> None:
        """Move keyboard focus to the view (after navigation)."""

    def current_hash(self) -> str:
        """The location hash now."""

    def is_online(self) -> bool:
        """navigator.onLine now."""


class Updates(Protocol):
    """The service worker's update channel."""

    def waiting(self) -> bool:
        """Whether a new version is installed and waiting."""

    def apply(self) -> bool:
        """Activate the waiting version and reload; False when none waits."""
