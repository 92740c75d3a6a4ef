"""Small helpers for building escaped HTML strings in views."""

from __future__ import annotations

from html import escape

Items = tuple[tuple[str, str], ...]  # a keyed region: (key, HTML of one element marked data-key)


def esc(text: object) -> str:
    """Text made safe for element content and quoted attributes."""
    return escape(str(text), quote=True)


def megabytes(size: int) -> str:
    """A byte count for people: '158 MB', '1.9 GB', '450 KB'."""
    if size >= 1e9:
        return f"{size / 1e9:.1f} GB"
    if size >= 1e6:
        return f"{size / 1e6:.0f} MB"
    return f"{size / 1e3:.0f} KB"
