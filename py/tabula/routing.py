"""Where each feature runs: on this device, in the cloud, or nowhere yet, with reasons people can read. Pure.

`decide()` is the one place that chooses. Private mode guarantees the cloud is never chosen. Chat
prefers the local model; the structured features (quiz, mind map) prefer the cloud, because small
local models often break the required format, and run locally only when the user opted in.
Stdlib only: no js, pyodide or pyscript.
"""

from __future__ import annotations

from dataclasses import dataclass

FEATURES = ("chat", "quiz", "mindmap")
NAMES = {"chat": "Chat", "quiz": "Quizzes", "mindmap": "Mind maps"}


@dataclass(frozen=True)
class Context:
    """What the choice depends on, gathered by the app."""

    model_ready: bool  # a local model is downloaded and verified
    model_label: str
    has_key: bool  # the user saved a Gemini API key
    private: bool  # private mode: nothing leaves this device
    online: bool
    cloud_model: str
    local_structured: bool  # the user opted in to quizzes and mind maps on the local model


@dataclass(frozen=True)
class Decision:
    """Where a feature runs and why; `label` is what the badge names (a model, or a short reason)."""

    where: str  # local | cloud | unavailable
    reason: str
    fix: str  # what the user can do; "" when nothing is needed
    unreliable: bool = False
    label: str = ""

    @property
    def badge(self) -> str:
        """A short line for the page: "Local · Gemma 4 E2B", "Cloud · …", "Unavailable · offline"."""
        text = {"local": "Local", "cloud": "Cloud"}.get(self.where, "Unavailable")
        if self.label:
            text += f" · {self.label}"
        return text + (" · may be unreliable" if self.unreliable else "")


@dataclass(frozen=True)
class _Blocker:
    short: str
    why: str
    fix: str


def _cloud_blockers(ctx: Context) -> list[_Blocker]:
    """Everything that keeps the cloud from being used; empty when it can be."""
    blockers = []
    if ctx.private:
        blockers.append(
            _Blocker("private mode", "private mode keeps everything on this device", "turn off private mode")
        )
    if not ctx.has_key:
        blockers.append(_Blocker("no key", "no Gemini API key is set", "add a Gemini API key"))
    if not ctx.online:
        blockers.append(_Blocker("offline", "this device is offline", "reconnect to the internet"))
    return blockers


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _cloud_fix(blockers: list[_Blocker]) -> str:
    steps = [b.fix + (" in Settings" if b.short != "offline" else "") for b in blockers]
    return _join(steps)


def _local(ctx: Context, reason: str, unreliable: bool = False) -> Decision:
    return Decision("local", reason, "", unreliable, ctx.model_label)


def _cloud(ctx: Context, reason: str) -> Decision:
    return Decision("cloud", reason, "", False, ctx.cloud_model)


def _chat(ctx: Context) -> Decision:
    if ctx.model_ready:
        return _local(ctx, f"Chat runs on this device with {ctx.model_label or 'the downloaded model'}.")
    blockers = _cloud_blockers(ctx)
    if not blockers:
        return _cloud(ctx, "No model is ready on this device, so chat uses the cloud service with your key.")
    reason = (
        "No model is ready on this device, and the cloud service can't be used because "
        f"{_join([b.why for b in blockers])}."
    )
    fix = f"Download a model on the Models page, or, to chat through the cloud, {_cloud_fix(blockers)}."
    return Decision("unavailable", reason, fix, False, "no model")


def _structured(feature: str, ctx: Context) -> Decision:
    name = NAMES[feature]
    blockers = _cloud_blockers(ctx)
    if not blockers:
        return _cloud(ctx, f"{name} are made by the cloud service, which keeps to the required format.")
    if ctx.local_structured and ctx.model_ready:
        return _local(
            ctx,
            f"{name} are made on this device by {ctx.model_label or 'the downloaded model'}; small models "
            "often get the format wrong, so results may be unreliable.",
            unreliable=True,
        )
    reason = f"{name} need the cloud service, which can't be used because {_join([b.why for b in blockers])}."
    fix = _cloud_fix(blockers)
    fix = fix[0].upper() + fix[1:] + "."
    if ctx.model_ready:
        fix += " Or turn on local quizzes and mind maps in Settings (results may be unreliable)."
    elif ctx.local_structured:
        fix += " Or download a model on the Models page (results may be unreliable)."
    else:
        fix += " Or download a model on the Models page and turn on local quizzes and mind maps in Settings."
    return Decision("unavailable", reason, fix, False, blockers[0].short)


def decide(feature: str, ctx: Context) -> Decision:
    """Where `feature` (one of FEATURES) runs now, and why."""
    if feature not in FEATURES:
        raise ValueError(f"unknown feature: {feature!r}")
    return _chat(ctx) if feature == "chat" else _structured(feature, ctx)
