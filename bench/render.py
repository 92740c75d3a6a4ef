"""Rendering under CPython, before vs after: the main-thread Python work per state change in a
200-message chat (2 KB answers with code blocks) and per paint while a 4 KB / 16 KB answer streams.

"Before" is what the app did until issue 15, measured on today's code: every message's Markdown
rendered again on each state change (the bubble cache emptied first) and the whole streaming
answer rendered on each paint. "After" is the app: bubbles cached by message value, the log as
keyed items, the streaming answer rendered block by block (chat.markdown.LiveMarkdown). The DOM
work is the browser's and not in these figures (bench/longchat.py measures it in Chromium).

Run: .venv/bin/python bench/render.py [--runs N]   (saves bench/out/render.json)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "py"), str(ROOT / "bench")]

from tabula.chat.markdown import LiveMarkdown, to_html  # noqa: E402
from tabula.chat.messages import Message  # noqa: E402
from tabula.core.actions import ConnectivityChanged, Store  # noqa: E402
from tabula.core.state import State  # noqa: E402
from tabula.ui.app import App  # noqa: E402
from tabula.ui.views import messages as bubbles  # noqa: E402
from tests.fakes import FakePage, FakeUpdates  # noqa: E402

PARAGRAPH = "Plain words with `inline code`, *emphasis* and a [link](https://example.org). " * 3
CODE = "```python\ndef area(radius: float) -> float:\n    return 3.14159 * radius * radius\n```\n\n"
LIST = "- first point to remember\n- second point, a little longer\n- third\n\n"


def answer(size: int) -> str:
    """Markdown of about `size` characters: paragraphs, code blocks and lists."""
    parts, text = [PARAGRAPH + "\n\n", CODE, LIST], ""
    while len(text) < size:
        text += parts[len(text) % 3]
    return text[:size]


def chat(count: int = 200, size: int = 2000) -> App:
    messages = tuple(
        Message(i, "model", answer(size)) if i % 2 else Message(i, "user", f"Question {i}?")
        for i in range(count)
    )
    app = App(Store(State(version="bench", messages=messages)), FakePage(hash_="#/chat"), FakeUpdates())
    app.start()
    return app


def per_change_ms(app: App, changes: int, uncached: bool) -> float:
    """Median ms of App.paint after a state change that leaves every message as it was."""
    times = []
    for i in range(changes):
        if uncached:
            bubbles._bubble.cache_clear()
        start = time.perf_counter()
        app.store.dispatch(ConnectivityChanged(i % 2 == 0))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def per_paint_ms(size: int, incremental: bool, step: int = 40) -> float:
    """Median ms to render the streaming answer for one paint, over its last 50 paints."""
    text, live, times = answer(size), LiveMarkdown(1), []
    for end in range(step, size + 1, step):
        start = time.perf_counter()
        if incremental:
            live.render(text[:end])
        else:
            to_html(text[:end], 1, live=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[-50:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = chat()
    results = {
        "change_before_ms": statistics.median(per_change_ms(app, 3, True) for _ in range(args.runs)),
        "change_after_ms": statistics.median(per_change_ms(app, 20, False) for _ in range(args.runs)),
    }
    for size in (4000, 16000):
        results[f"paint_{size // 1000}k_before_ms"] = statistics.median(
            per_paint_ms(size, False) for _ in range(args.runs)
        )
        results[f"paint_{size // 1000}k_after_ms"] = statistics.median(
            per_paint_ms(size, True) for _ in range(args.runs)
        )
    results = {key: round(value, 3) for key, value in results.items()}
    from harness import save

    where = f"{platform.machine()}, {__import__('os').cpu_count()} cores (shared), CPython {platform.python_version()}"
    data = {"medians": results, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": where}
    data["browser"] = "none (CPython)"
    print(save("render", data).read_text())


if __name__ == "__main__":
    main()
