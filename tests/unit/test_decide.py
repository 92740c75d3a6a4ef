"""core/decide.py: every feature in every situation runs where the rules say, and says why in words."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tabula.core.decide import FEATURES, Context, Decision, decide, decide_for
from tabula.core.state import State
from tabula.models.catalog import ModelSpec

FLAGS = ("model_ready", "has_key", "online", "private", "local_structured")
SITUATIONS = [dict(zip(FLAGS, values, strict=True)) for values in itertools.product((False, True), repeat=5)]


def context(**flags: bool) -> Context:
    base = dict.fromkeys(FLAGS, False)
    return Context(model_label="Gemma 4 E2B", cloud_model="gemma-4-26b-a4b-it", **(base | flags))


def expected(feature: str, f: dict[str, bool]) -> tuple[str, bool]:
    """The rules, written out plainly: (where, unreliable)."""
    cloud_ok = f["has_key"] and f["online"] and not f["private"]
    if feature == "chat":
        if f["model_ready"]:
            return "local", False
        return ("cloud" if cloud_ok else "unavailable"), False
    if cloud_ok:
        return "cloud", False
    if f["local_structured"] and f["model_ready"]:
        return "local", True
    return "unavailable", False


def test_the_table_covers_every_case() -> None:
    assert len(SITUATIONS) == 32 and len({tuple(s.values()) for s in SITUATIONS}) == 32


@pytest.mark.parametrize("feature", FEATURES)
@pytest.mark.parametrize("flags", SITUATIONS, ids=lambda f: "-".join(k for k, v in f.items() if v) or "none")
def test_full_table(feature: str, flags: dict[str, bool]) -> None:
    decision = decide(feature, context(**flags))
    assert (decision.where, decision.unreliable) == expected(feature, flags)
    assert decision.reason.strip()
    if flags["private"]:
        assert decision.where != "cloud"
    if decision.where == "unavailable":
        assert decision.fix.strip()
        assert decision.badge.startswith("Unavailable · ")
    else:
        assert decision.fix == ""
    assert decision.reason.endswith(".") and (not decision.fix or decision.fix.endswith("."))


@pytest.mark.parametrize("feature", FEATURES)
def test_private_mode_never_uses_the_cloud(feature: str) -> None:
    for flags in SITUATIONS:
        if flags["private"]:
            assert decide(feature, context(**flags)).where in ("local", "unavailable")


def test_badges() -> None:
    assert decide("chat", context(model_ready=True)).badge == "Local · Gemma 4 E2B"
    assert decide("chat", context(has_key=True, online=True)).badge == "Cloud · gemma-4-26b-a4b-it"
    assert (
        decide("quiz", context(has_key=True, online=True, model_ready=True)).badge
        == "Cloud · gemma-4-26b-a4b-it"
    )
    local_quiz = decide("quiz", context(model_ready=True, local_structured=True))
    assert local_quiz.badge == "Local · Gemma 4 E2B · may be unreliable"
    assert decide("chat", context()).badge == "Unavailable · no model"
    assert (
        decide("mindmap", context(has_key=True, online=True, private=True)).badge
        == "Unavailable · private mode"
    )
    assert decide("quiz", context(online=True)).badge == "Unavailable · no key"
    assert decide("quiz", context(has_key=True)).badge == "Unavailable · offline"


def test_badge_without_labels() -> None:
    assert Decision("local", "r", "").badge == "Local"
    assert Decision("cloud", "r", "", label="m").badge == "Cloud · m"


def test_chat_unavailable_says_why_and_what_to_do() -> None:
    decision = decide("chat", context(private=True, online=True))
    assert (
        "No model" in decision.reason
        and "private mode" in decision.reason
        and "no Gemini API key" in decision.reason
    )
    assert "Models page" in decision.fix
    assert "turn off private mode in Settings and add a Gemini API key in Settings" in decision.fix
    offline = decide("chat", context(has_key=True))
    assert "offline" in offline.reason and "reconnect" in offline.fix


def test_structured_unavailable_offers_the_local_model() -> None:
    off = decide("quiz", context(model_ready=True, private=True))
    assert "private mode" in off.reason
    assert "turn on local quizzes and mind maps in Settings" in off.fix
    no_model = decide("mindmap", context(local_structured=True))
    assert "no Gemini API key" in no_model.reason
    assert no_model.fix.startswith("Add a Gemini API key in Settings") and "Models page" in no_model.fix


def test_local_structured_says_it_may_be_unreliable() -> None:
    decision = decide("mindmap", context(model_ready=True, local_structured=True, has_key=True))
    assert decision.where == "local" and decision.unreliable
    assert "unreliable" in decision.reason and "Gemma 4 E2B" in decision.reason


def test_unknown_feature() -> None:
    with pytest.raises(ValueError, match="unknown feature"):
        decide("summary", context())


def test_an_answer_from_the_cpu_engine_says_so() -> None:
    """Issue 16: every answer's badge names the engine kind when it is the CPU one."""
    cpu = Context(True, "Gemma 3 1B (CPU)", False, True, True, "m", False, runtime="cpu")
    assert decide("chat", cpu).badge == "Local (CPU) · Gemma 3 1B (CPU)"
    assert decide("chat", context(model_ready=True)).badge == "Local · Gemma 4 E2B"


def test_the_badge_follows_the_model_in_use_through_the_apps_state() -> None:
    """decide_for() reads the engine from the model in use: a GGUF file is the CPU engine's."""
    gguf = ModelSpec(
        "g", "Gemma 3 1B (CPU)", "gemma3", "https://h.example/gemma-3-1b-it-Q4_K_M.gguf", 1, "", "catalogue"
    )
    task = ModelSpec(
        "t", "Gemma 4 E2B", "gemma4", "https://h.example/gemma-4-E2B-it-web.task", 1, "", "catalogue"
    )
    state = State(catalog=(gguf, task), model_id="g", ready=frozenset({"g", "t"}))
    assert decide_for(state, "chat").badge == "Local (CPU) · Gemma 3 1B (CPU)"
    assert decide_for(replace(state, model_id="t"), "chat").badge == "Local · Gemma 4 E2B"


def test_a_window_that_does_not_run_the_model_never_sends_chat_to_the_cloud_while_one_is_ready() -> None:
    """Two windows: the other one runs the model that is ready on this device. With a key set and
    private mode off, chat here must not go to the cloud (it would carry turns answered on the
    device): it says the model runs in the other window and offers Use Tabula here."""
    model = ModelSpec("t", "Gemma 4 E2B", "gemma4", "https://h.example/gemma-4-E2B-it-web.task", 1, "", "catalogue")
    state = State(catalog=(model,), model_id="t", ready=frozenset({"t"}), elsewhere=True)
    state = replace(state, cloud=replace(state.cloud, key="AIzaKey", private=False))
    chat = decide_for(state, "chat")
    assert (chat.where, chat.badge) == ("unavailable", "Unavailable · other window")
    assert "another Tabula window" in chat.reason and "Use Tabula here" in chat.fix
    assert decide_for(replace(state, elsewhere=False), "chat").where == "local"
    nothing_here = replace(state, ready=frozenset())  # no model on this device: the cloud, as ever
    assert decide_for(nothing_here, "chat").where == "cloud"
