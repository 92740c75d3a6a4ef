"""FramePainter (chat.ports.StreamPainter): streaming text to the DOM, on animation frames.

Tokens can arrive faster than frames: a followed answer's new text is pulled from the engine
(through the queue) once per paint, and only the newest text per message is kept, rendered as
Markdown block by block (chat.markdown.stream_for, a LiveMarkdown per answer: finished blocks keep
the HTML the finished answer gets, so nothing jumps when it ends, and only the open block is
rendered again) and painted, cleaned by DOMPurify's strict policy for message text, into
`#msg-<id>-text` on an animation frame, at most every 50 ms, less often when a paint costs more
(chat.cadence: painting takes at most a small share of the main thread, which also drives the
engine). Between paints nothing wakes: a timer waits out the rest of the interval and only then
asks for a frame (asking for every frame cost a call into Python and a rendered frame 60 times a
second, bench/decodeprofile.py). Painted finished blocks stay in the DOM (rich.paint_stream adds
only what is new). The node is looked up each frame, so a re-rendered log is painted again on the
very next frame. One long-lived proxy.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import create_proxy, jsnull

from tabula.browser import rich
from tabula.chat import cadence
from tabula.chat.markdown import stream_for


class FramePainter:
    def __init__(self) -> None:
        self.live: dict[int, str] = {}
        self.pulls: dict[int, Callable[[], object]] = {}
        self.dirty: set[int] = set()
        self.requested = False
        self.timer: object | None = None  # the pending wait for the next paint
        self.painted_at = float("-inf")
        self.every = cadence.FASTEST_MS  # from one paint to the next (cadence.interval of the last)
        self._proxy = create_proxy(self._frame)

    def show(self, message_id: int, text: str) -> None:
        self.live[message_id] = text
        self.dirty.add(message_id)
        self._request()

    def follow(self, message_id: int, pull: Callable[[], object]) -> None:
        """Pull `message_id`'s new text before each paint (frames keep coming while it is followed)."""
        self.pulls[message_id] = pull
        self._request()

    def repaint(self) -> None:
        self.dirty.update(self.live)
        if self.dirty:
            self.painted_at = float("-inf")  # the re-rendered node must not wait
            if self.timer is not None:
                js.clearTimeout(self.timer)
                self.timer, self.requested = None, False
            self._request()

    def wake(self) -> None:
        """An answer's first text has arrived: paint now, not when the cadence's timer ends (the
        first token is shown at once; the cadence applies after it). A frame already asked for
        comes within one frame anyway."""
        if self.timer is not None:
            js.clearTimeout(self.timer)
            self.timer, self.requested = None, False
        if not self.requested and self.pulls:
            self._frame(js.performance.now())

    def forget(self, message_id: int) -> None:
        self.live.pop(message_id, None)
        self.pulls.pop(message_id, None)
        self.dirty.discard(message_id)

    def _request(self) -> None:
        """One frame when a paint is due; before that, a timer for the rest of the interval."""
        if self.requested:
            return
        self.requested = True
        wait = self.painted_at + self.every - js.performance.now()
        if wait > 0:
            wake = js.requestAnimationFrame.bind(js.window, self._proxy)  # no Python until the frame
            self.timer = js.setTimeout(wake, wait)
        else:
            js.requestAnimationFrame(self._proxy)

    def _frame(self, timestamp: float) -> None:
        self.requested, self.timer = False, None
        self.painted_at = timestamp
        for pull in list(self.pulls.values()):
            pull()  # new text comes back through show()
        started = js.performance.now()  # the paint itself (a pull may start a state change)
        for message_id in self.dirty:
            node = js.document.getElementById(f"msg-{message_id}-text")
            if node is not None and node is not jsnull:
                rich.paint_stream(node, *stream_for(message_id).render(self.live[message_id]))
        if self.dirty:
            self.every = cadence.interval(js.performance.now() - started)
        self.dirty.clear()
        if self.pulls:
            self._request()
