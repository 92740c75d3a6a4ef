"""Draws Tabula's PNG icons with the standard library only (run once; the PNGs are committed).

The mark is a slate: a light tablet with three lines of text on the brand colour. `icon.svg` is
the same drawing as vector. Run: `python pwa/icons/make_icons.py`.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BRAND = (0x1D, 0x5B, 0x79)
SLATE = (0xF7, 0xF5, 0xF0)
HERE = Path(__file__).parent


def inside_round_rect(x: float, y: float, box: tuple[float, float, float, float], r: float) -> bool:
    """Whether point (x, y) lies in the rounded rectangle box=(x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx, cy = min(max(x, x0 + r), x1 - r), min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(u: float, v: float, *, full_bleed: bool, scale: float) -> tuple[int, int, int, int]:
    """RGBA of the drawing at unit coordinates (u, v)."""
    if not full_bleed and not inside_round_rect(u, v, (0, 0, 1, 1), 0.22):
        return (0, 0, 0, 0)
    c = lambda t: 0.5 + (t - 0.5) * scale  # noqa: E731 - a tiny local transform
    if inside_round_rect(u, v, (c(0.24), c(0.18), c(0.76), c(0.82)), 0.06 * scale):
        for top in (0.32, 0.45, 0.58):
            width = 0.62 if top == 0.58 else 0.68
            if inside_round_rect(u, v, (c(0.32), c(top), c(width), c(top + 0.06)), 0.03 * scale):
                return (*BRAND, 255)
        return (*SLATE, 255)
    return (*BRAND, 255)


def draw(size: int, *, full_bleed: bool = False, scale: float = 1.0) -> bytes:
    """PNG bytes of the icon at `size` pixels, 4x supersampled."""
    rows = []
    for py in range(size):
        row = bytearray(b"\x00")
        for px in range(size):
            samples = [
                colour_at((px + (i + 0.5) / 2) / size, (py + (j + 0.5) / 2) / size,
                          full_bleed=full_bleed, scale=scale)
                for i in range(2) for j in range(2)
            ]  # fmt: skip
            row += bytes(sum(s[k] for s in samples) // 4 for k in range(4))
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size: int, raw: bytes) -> bytes:
    """Wrap raw RGBA scanlines as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    """Write every icon the manifest and page name."""
    (HERE / "icon-192.png").write_bytes(draw(192))
    (HERE / "icon-512.png").write_bytes(draw(512))
    (HERE / "maskable-512.png").write_bytes(draw(512, full_bleed=True, scale=0.8))
    (HERE / "apple-touch-icon.png").write_bytes(draw(180, full_bleed=True, scale=0.85))


if __name__ == "__main__":
    main()
