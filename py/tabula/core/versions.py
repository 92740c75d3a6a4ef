"""When the app may take a new version of itself: never while an answer streams, a study tool
is being made or a download runs (a reload would throw that work away). Pure, over the State.

The service worker installs a new version beside the running one; the page takes it (reloads)
only on the user's word, and only when `blocker(state)` is "". An installed app left open for
days looks for a new version when it is shown again and every CHECK_EVERY_S seconds.
"""

from __future__ import annotations

from tabula.core.state import State

CHECK_EVERY_S = 3600
ANSWERING = frozenset({"waiting", "streaming"})
# A download waiting for the network loses nothing by a reload (it resumes from its stored chunks).
MOVING = frozenset({"checking", "downloading", "verifying"})


def blocker(state: State) -> str:
    """What a reload now would interrupt: "answer", "study", "download", or "" when nothing."""
    if any(m.status in ANSWERING for m in state.messages):
        return "answer"
    if state.study.busy:
        return "study"
    if any(d.phase in MOVING for d in state.downloads):
        return "download"
    return ""


def take_now(state: State) -> bool:
    """Whether a Reload the user asked for (now, or while busy) should happen in this State."""
    return state.update_waiting and blocker(state) == ""
