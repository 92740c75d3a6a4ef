"""The UI's ports: the document Python paints (Page) and the service worker's update channel.

browser/dom.py and browser/sw.py implement them; tests/fakes.py fakes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

ActionHandler = Callable[[str, dict[str, str]], None]


class Page(Protocol):
    """The document: the parts of the shell Python paints, and the events it listens to."""

    def set_view(self, html: str, title: str) -> None:
        """Replace the main view and the document title."""

    def set_region(self, region_id: str, html: str) -> None:
        """Replace the inside of one region of the view (element id `region_id`)."""

    def set_items(self, region_id: str, keys: list[str], changed: dict[str, str]) -> None:
        """Update a region made of keyed items (each one element marked data-key): put them in
        the order `keys`, paint those in `changed` (key -> HTML) anew, leave the others' DOM (its
        selection, colours) alone and remove those not in `keys`."""

    def clear_composer(self) -> None:
        """Empty the message box after a send, keeping focus there."""

    def fill(self, element_id: str, text: str) -> None:
        """Put `text` in the form field `element_id` (a note opened from a file)."""

    def set_nav(self, current: str) -> None:
        """Mark the navigation link for page `current` as the current page."""

    def set_net(self, label: str, online: bool) -> None:
        """Show the online/offline indicator."""

    def set_engine(self, label: str) -> None:
        """Show the engine badge text."""

    def set_route(self, label: str) -> None:
        """Show where chat answers come from (Local · model / Cloud · model / Unavailable · why)."""

    def set_banner(self, html: str) -> None:
        """Show a banner above the view ('' hides it)."""

    def set_blocked(self, blocked: bool) -> None:
        """Make the page inert but for the banner (True), or usable again (False)."""

    def set_appearance(self, lang: str, theme: str, labels: dict[str, str]) -> None:
        """Set <html lang> and data-theme (light|dark; none for "system"), and the static shell's
        text: `labels` maps an element's data-label (its text) or data-aria-label name to text."""

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

    def elsewhere(self) -> bool:
        """Whether another window took a new version while this one runs the old one."""

    def apply(self) -> bool:
        """Activate the waiting version (or the one another window took) and reload; False when
        there is none."""

    async def check(self) -> bool:
        """Ask the browser to look for a new version now; False when it could not (offline)."""


Handler = Callable[[dict[str, str]], object]  # one data-action's handler: the element's data-* and fields
