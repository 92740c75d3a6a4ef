"""Where each feature runs: on this device, in the cloud, or nowhere yet, with reasons people can read. Pure.

`decide()` is the one place that chooses; `decide_for(state, feature)` gathers its Context from
the app's State (a function of State, not a method on it). Private mode guarantees the cloud is
never chosen. Chat prefers the local model, and never goes to the cloud while a model ready on
this device runs in another window (that chat's turns were answered on the device: Use Tabula
here brings the model over); the structured features (quiz, mind map) prefer the cloud, because
small local models often break the required format, and run locally only when the user opted in.
Stdlib only: no js, pyodide or pyscript.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.core.state import State
from tabula.i18n.translate import tr

FEATURES = ("chat", "quiz", "mindmap")


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
    elsewhere: bool = False  # another window of this origin runs the engine (model_ready is False)
    runtime: str = "gpu"  # the local model's engine (ModelSpec.runtime): gpu (MediaPipe) | cpu (llama.cpp)
    model_stored: bool = False  # the model in use is ready on this device, wherever it runs


@dataclass(frozen=True)
class Decision:
    """Where a feature runs and why; `label` is what the badge names (a model, or a short reason)."""

    where: str  # local | cloud | unavailable
    reason: str
    fix: str  # what the user can do; "" when nothing is needed
    unreliable: bool = False
    label: str = ""
    runtime: str = "gpu"  # for a local decision: the engine that runs it

    @property
    def badge(self) -> str:
        """A short line for the page and every answer: "Local · Gemma 4 E2B", "Local (CPU) · Gemma 3
        1B" (the CPU engine), "Cloud · …", "Unavailable · offline"."""
        local = tr("Local (CPU)") if self.runtime == "cpu" else tr("Local")
        where = {"local": local, "cloud": tr("Cloud")}.get(self.where) or tr("Unavailable")
        parts = [where, self.label] if self.label else [where]
        return " · ".join(parts + ([tr("may be unreliable")] if self.unreliable else []))


@dataclass(frozen=True)
class _Blocker:
    short: str  # the badge's label
    why: str  # follows "because"
    fix: str  # what to do about it, and where


def _cloud_blockers(ctx: Context) -> list[_Blocker]:
    """Everything that keeps the cloud from being used; empty when it can be."""
    blockers = []
    if ctx.private:
        why = tr("private mode keeps everything on this device")
        blockers.append(_Blocker(tr("private mode"), why, tr("turn off private mode in Settings")))
    if not ctx.has_key:
        why = tr("no Gemini API key is set")
        blockers.append(_Blocker(tr("no key"), why, tr("add a Gemini API key in Settings")))
    if not ctx.online:
        why = tr("this device is offline")
        blockers.append(_Blocker(tr("offline"), why, tr("reconnect to the internet")))
    return blockers


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return tr("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


def _cloud_fix(blockers: list[_Blocker]) -> str:
    return _join([b.fix for b in blockers])


def _local(ctx: Context, reason: str, unreliable: bool = False) -> Decision:
    return Decision("local", reason, "", unreliable, ctx.model_label, ctx.runtime)


def _cloud(ctx: Context, reason: str) -> Decision:
    return Decision("cloud", reason, "", False, ctx.cloud_model)


def _other_window() -> Decision:
    reason = tr("The model is running in another Tabula window (a tab or the installed app).")
    fix = tr("Press Use Tabula here to run it in this window.")
    return Decision("unavailable", reason, fix, False, tr("other window"))


def _chat(ctx: Context) -> Decision:
    if ctx.model_ready:
        model = ctx.model_label or tr("the downloaded model")
        return _local(ctx, tr("Chat runs on this device with {model}.", model=model))
    if ctx.elsewhere and ctx.model_stored:  # never the cloud for a chat the device answers
        return _other_window()
    blockers = _cloud_blockers(ctx)
    if not blockers:
        return _cloud(
            ctx, tr("No model is ready on this device, so chat uses the cloud service with your key.")
        )
    reason = tr(
        "No model is ready on this device, and the cloud service can't be used because {why}.",
        why=_join([b.why for b in blockers]),
    )
    if ctx.elsewhere:
        return _other_window()
    fix = tr(
        "Download a model on the Models page, or, to chat through the cloud, {steps}.",
        steps=_cloud_fix(blockers),
    )
    return Decision("unavailable", reason, fix, False, tr("no model"))


def _structured(feature: str, ctx: Context) -> Decision:
    quiz = feature == "quiz"
    blockers = _cloud_blockers(ctx)
    if not blockers:
        if quiz:
            return _cloud(
                ctx, tr("Quizzes are made by the cloud service, which keeps to the required format.")
            )
        return _cloud(ctx, tr("Mind maps are made by the cloud service, which keeps to the required format."))
    if ctx.local_structured and ctx.model_ready:
        return _local(ctx, _made_here(quiz, ctx.model_label or tr("the downloaded model")), unreliable=True)
    why = _join([b.why for b in blockers])
    reason = (
        tr("Quizzes need the cloud service, which can't be used because {why}.", why=why)
        if quiz
        else tr("Mind maps need the cloud service, which can't be used because {why}.", why=why)
    )
    return Decision("unavailable", reason, _structured_fix(blockers, ctx), False, blockers[0].short)


def _made_here(quiz: bool, model: str) -> str:
    if quiz:
        return tr(
            "Quizzes are made on this device by {model}; small models often get the format wrong, "
            "so results may be unreliable.",
            model=model,
        )
    return tr(
        "Mind maps are made on this device by {model}; small models often get the format wrong, "
        "so results may be unreliable.",
        model=model,
    )


def _structured_fix(blockers: list[_Blocker], ctx: Context) -> str:
    """What to do when quizzes and mind maps cannot run: the cloud's fixes, then the local way."""
    steps = _cloud_fix(blockers)
    if ctx.model_ready:
        local = tr("Or turn on local quizzes and mind maps in Settings (results may be unreliable).")
    elif ctx.local_structured:
        local = tr("Or download a model on the Models page (results may be unreliable).")
    else:
        local = tr(
            "Or download a model on the Models page and turn on local quizzes and mind maps in Settings."
        )
    return f"{steps[0].upper()}{steps[1:]}. {local}"


def decide(feature: str, ctx: Context) -> Decision:
    """Where `feature` (one of FEATURES) runs now, and why."""
    if feature not in FEATURES:
        raise ValueError(f"unknown feature: {feature!r}")
    return _chat(ctx) if feature == "chat" else _structured(feature, ctx)


def decide_for(state: State, feature: str) -> Decision:
    """Where `feature` runs now (local, cloud or unavailable) and why, given the app's State."""
    model, cloud = state.model, state.cloud
    stored = model is not None and state.usable(model)
    context = Context(
        stored and not state.elsewhere, model.label if model else "", cloud.has_key, cloud.private,
        state.online, cloud.model, cloud.local_structured, state.elsewhere, model.runtime if model else "gpu",
        stored,
    )  # fmt: skip
    return decide(feature, context)
