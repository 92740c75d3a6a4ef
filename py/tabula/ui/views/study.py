"""The Study page: Quiz me and Mind map from a topic or pasted notes, each labelled with the
engine that makes it (or why it is unavailable); the result as an interactive quiz or an outline."""

from __future__ import annotations

from tabula.core.decide import decide_for
from tabula.core.state import State
from tabula.i18n.translate import N_, tr
from tabula.study.result import Study
from tabula.study.structured import Node, Question
from tabula.ui.views.html import esc

FEATURES = (("quiz", N_("Quiz me")), ("mindmap", N_("Mind map")))


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/study."""
    form = (
        '<form class="study-form" data-action="study">'
        f'<label for="topic">{esc(tr("Topic or notes"))}</label>'
        '<textarea id="topic" name="topic" rows="4" maxlength="8000" '
        f'placeholder="{esc(tr("Photosynthesis — or paste a page of notes"))}"></textarea>'
        '<div id="study-buttons" class="buttons"></div></form>'
    )
    skeleton = f'<h1>{esc(tr("Study"))}</h1>{form}<div id="study-result" aria-live="polite"></div>'
    return tr("Study"), skeleton, {"study-buttons": buttons(state), "study-result": result(state.study)}


def buttons(state: State) -> str:
    """One button per feature, each with where it runs (in text, not colour alone)."""
    out = []
    for feature, label in FEATURES:
        decision = decide_for(state, feature)
        busy = state.study.busy == feature
        disabled = " disabled" if decision.where == "unavailable" or state.study.busy else ""
        name = tr("{feature}…", feature=tr(label)) if busy else tr(label)
        out.append(
            f'<div class="feature"><button type="submit" name="feature" value="{feature}"{disabled}>'
            f"{esc(name)}</button>"
            f'<span class="badge">{esc(decision.badge)}</span>'
            + (
                f'<small class="hint">{esc(decision.reason)} {esc(decision.fix)}</small>'
                if decision.fix
                else ""
            )
            + "</div>"
        )
    return "".join(out)


def result(study: Study) -> str:
    if study.error:
        return f'<div class="error" role="alert"><p>{esc(study.error)}</p></div>'
    if study.busy:
        return f'<p class="hint" role="status">{esc(tr("Working on it…"))}</p>'
    made = f'<p class="meta">{esc(study.engine)}</p>' if study.engine else ""
    if study.quiz:
        return quiz(study) + made
    if study.mindmap is not None:
        return f'<section class="mindmap" aria-label="{esc(tr("Mind map"))}">{outline(study.mindmap)}</section>{made}'
    return ""


def quiz(study: Study) -> str:
    picked = dict(study.picked)
    items = "".join(question(i, q, picked.get(i), study.checked) for i, q in enumerate(study.quiz))
    score = ""
    if study.checked:
        right = sum(1 for i, q in enumerate(study.quiz) if picked.get(i) == q.answer)
        score = f'<p class="score" role="status">{esc(tr("{right} of {total} right.", right=right, total=len(study.quiz)))}</p>'
    return (
        f'<form class="quiz" data-action="check-quiz"><ol>{items}</ol>{score}'
        f'<button type="submit" class="primary">{esc(tr("Check answers"))}</button></form>'
    )


def question(index: int, q: Question, picked: int | None, checked: bool) -> str:
    choices = "".join(
        f'<label class="choice"><input type="radio" name="q{index}" value="{c}"'
        f"{' checked' if picked == c else ''}> {esc(text)}</label>"
        for c, text in enumerate(q.choices)
    )
    feedback = ""
    if checked:
        verdict = (
            tr("Right.") if picked == q.answer else tr("The answer is: {answer}.", answer=q.choices[q.answer])
        )
        feedback = f'<p class="feedback">{esc(verdict)} {esc(q.explanation)}</p>'
    return f"<li><fieldset><legend>{esc(q.question)}</legend>{choices}</fieldset>{feedback}</li>"


def outline(node: Node) -> str:
    children = "".join(f"<li>{outline(child)}</li>" for child in node.children)
    return f"<span>{esc(node.text)}</span>" + (f"<ul>{children}</ul>" if children else "")
