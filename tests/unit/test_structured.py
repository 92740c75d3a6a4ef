"""structured.py: quiz and mind-map answers parsed forgivingly, validated strictly, errors in words."""

from __future__ import annotations

import json

import pytest

from tabula.study.structured import (
    MAX_DEPTH,
    MAX_NODES,
    QUIZ_SCHEMA,
    Node,
    Question,
    StructuredError,
    mindmap_prompt,
    parse_outline,
    parse_quiz,
    quiz_prompt,
)


def q(question: str = "What do plants need for photosynthesis?", **fields: object) -> dict:
    item: dict = {
        "question": question,
        "choices": ["Light", "Salt", "Iron", "Noise"],
        "answer": 0,
        "explanation": "Light gives the energy.",
    }
    return item | fields


def quiz(*items: dict) -> str:
    return json.dumps(list(items) or [q()])


def test_valid_quiz() -> None:
    text = quiz(q(), q("Where does it happen?", choices=["Roots", "Leaves"], answer=1, explanation=""))
    assert parse_quiz(text) == (
        Question(
            "What do plants need for photosynthesis?",
            ("Light", "Salt", "Iron", "Noise"),
            0,
            "Light gives the energy.",
        ),
        Question("Where does it happen?", ("Roots", "Leaves"), 1, ""),
    )


@pytest.mark.parametrize(
    "wrap",
    [
        "```json\n{}\n```",
        "```\n{}\n```",
        "Here is your quiz:\n\n```JSON\n{}\n```\nGood luck!",
        "Sure! {} Hope this helps.",
        "  \n{}\n",
        "```json\n{}",  # the model stopped before closing the fence
    ],
)
def test_fenced_or_wrapped_quiz(wrap: str) -> None:
    questions = parse_quiz(wrap.format(quiz()))
    assert len(questions) == 1 and questions[0].answer == 0


@pytest.mark.parametrize(
    ("answer", "index"),
    [("B", 1), ("c", 2), ("D)", 3), ("A.", 0), ("Iron", 2), ("  noise ", 3), ("1", 1), (3, 3), (2.0, 2)],
)
def test_answer_as_letter_text_or_number(answer: object, index: int) -> None:
    assert parse_quiz(quiz(q(answer=answer)))[0].answer == index


def test_choice_text_wins_over_a_letter() -> None:
    assert parse_quiz(quiz(q(choices=["B", "A"], answer="A")))[0].answer == 1


def test_strings_are_trimmed_and_explanation_optional() -> None:
    item = {"question": "  Why?  ", "choices": [" a ", "b"], "answer": 1}
    assert parse_quiz(json.dumps([item])) == (Question("Why?", ("a", "b"), 1, ""),)
    assert parse_quiz(quiz(q(explanation=None)))[0].explanation == ""


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("I cannot make a quiz about that.", "no list"),
        ("[{'question': 'single quotes'}]", "broken"),
        ("[1, 2", "no list"),
        (json.dumps({"questions": [q()]}), "expected a list"),
        (json.dumps(q()), "expected a list"),
        ("[]", "1 to 10"),
        (quiz(*[q(f"Q{i}?") for i in range(11)]), "1 to 10"),
        (quiz(q(choices=["Only one"])), "2 to 6 choices"),
        (quiz(q(choices=[str(i) for i in range(7)])), "2 to 6 choices"),
        (quiz(q(choices="Light, Salt")), "2 to 6 choices"),
        (quiz(q(answer=4)), "answer"),
        (quiz(q(answer=-1)), "answer"),
        (quiz(q(answer="E")), "answer"),
        (quiz(q(answer="Water")), "answer"),
        (quiz(q(answer=None)), "answer"),
        (quiz(q(answer=True)), "answer"),
        (quiz(q(answer=[0])), "answer"),
        (quiz(q(answer=1.5)), "answer"),
        (quiz(q(question="")), "text"),
        (quiz(q(question="   ")), "text"),
        (quiz(q(question=None)), "text"),
        (quiz(q(question=42)), "text"),
        (quiz(q(question="x" * 501)), "too long"),
        (quiz(q(choices=["a", ""])), "choice 2"),
        (quiz(q(choices=["a", 7])), "choice 2"),
        (quiz(q(choices=["a", "b" * 201])), "too long"),
        (quiz(q(explanation=["no"])), "explanation"),
        (quiz(q(explanation="x" * 1001)), "too long"),
        (json.dumps([q(), "just text"]), "Question 2"),
        (json.dumps([q(), None]), "Question 2"),
        ("[" * 100_000 + "]" * 100_000, "broken"),
        ("[" + " " * 300_000 + "]", "too long"),
    ],
)
def test_invalid_quizzes(text: str, says: str) -> None:
    with pytest.raises(StructuredError) as caught:
        parse_quiz(text)
    assert says.lower() in str(caught.value).lower()
    assert isinstance(caught.value, ValueError)


def test_error_names_the_question() -> None:
    with pytest.raises(StructuredError, match="Question 3"):
        parse_quiz(quiz(q(), q(), q(answer=9)))


@pytest.mark.parametrize("not_text", [None, 5, ["x"]])
def test_non_text_input(not_text: object) -> None:
    with pytest.raises(StructuredError):
        parse_quiz(not_text)  # type: ignore[arg-type]
    with pytest.raises(StructuredError):
        parse_outline(not_text)  # type: ignore[arg-type]


def test_quiz_prompt_and_schema() -> None:
    prompt = quiz_prompt("The water cycle", 3)
    assert "3 questions" in prompt and "The water cycle" in prompt and "ONLY a JSON array" in prompt
    assert "10 questions" in quiz_prompt("x", 50) and "1 questions" in quiz_prompt("x", 0)
    assert QUIZ_SCHEMA["type"] == "ARRAY"
    item = QUIZ_SCHEMA["items"]
    assert item["type"] == "OBJECT"
    assert {k: v["type"] for k, v in item["properties"].items()} == {
        "question": "STRING",
        "choices": "ARRAY",
        "answer": "INTEGER",
        "explanation": "STRING",
    }
    assert set(item["required"]) == {"question", "choices", "answer", "explanation"}


def test_the_prompts_example_parses() -> None:
    example = quiz_prompt("x").splitlines()[2].replace("...", "a")
    assert parse_quiz(f"[{example}]")[0].choices == ("a", "a", "a", "a")


def texts(node: Node) -> list:
    """A node as nested lists: [text, [child...], ...] or just text for a leaf."""
    return [node.text, *map(texts, node.children)] if node.children else node.text  # type: ignore[return-value]


def depth(node: Node) -> int:
    return 1 + max((depth(c) for c in node.children), default=0)


def count(node: Node) -> int:
    return 1 + sum(count(c) for c in node.children)


def test_outline_nested_markdown() -> None:
    text = (
        "- **Photosynthesis**\n"
        "  - Inputs\n"
        "    - Light\n"
        "    - *Water*\n"
        "    - `CO2`\n"
        "  - Outputs:\n"
        "    - Sugar\n"
        "    - Oxygen\n"
    )
    assert texts(parse_outline(text)) == [
        "Photosynthesis",
        ["Inputs", "Light", "Water", "CO2"],
        ["Outputs", "Sugar", "Oxygen"],
    ]


def test_outline_numbered_tabs_and_other_bullets() -> None:
    text = "1. Water cycle\n\t1) Evaporation\n\t\t* Sun heats water\n\t2. Condensation\n\t\t+ Clouds\n"
    assert texts(parse_outline(text)) == [
        "Water cycle",
        ["Evaporation", "Sun heats water"],
        ["Condensation", "Clouds"],
    ]


def test_outline_heading_is_the_root_and_prose_is_ignored() -> None:
    text = (
        "Here is a mind map for you:\n\n"
        "# The *Solar* System\n\n"
        "- Planets\n  - Earth\n- Sun\n\n"
        "I hope this helps!"
    )
    assert texts(parse_outline(text)) == ["The Solar System", ["Planets", "Earth"], "Sun"]


def test_outline_headings_and_bullets_mixed() -> None:
    text = "```markdown\n# Cells\n## Parts\n- Nucleus\n- Membrane\n## Kinds\n- Plant\n- Animal\n```"
    assert texts(parse_outline(text)) == [
        "Cells",
        ["Parts", "Nucleus", "Membrane"],
        ["Kinds", "Plant", "Animal"],
    ]


def test_outline_bold_line_as_title() -> None:
    assert texts(parse_outline("**Fractions**\n- Halves\n- Quarters")) == ["Fractions", "Halves", "Quarters"]


def test_outline_several_roots_get_one() -> None:
    assert texts(parse_outline("- A\n  - a1\n- B\n- C")) == ["Mind map", ["A", "a1"], "B", "C"]
    assert texts(parse_outline("## A\n- x\n## B\n- y")) == ["Mind map", ["A", "x"], ["B", "y"]]


def test_outline_from_mermaid() -> None:
    text = (
        "```mermaid\n"
        "mindmap\n"
        "  root((Malaria))\n"
        "    ::icon(fa fa-bug)\n"
        "    Causes\n"
        "      (Mosquito bites)\n"
        "      id1[Parasite *Plasmodium*]\n"
        "    Symptoms\n"
        "      {{Fever}}\n"
        "      ))Chills((\n"
        "      )Headache(\n"
        "      %% a comment\n"
        "    Prevention:::urgent\n"
        '      B["`**Bed nets**`"]\n'
        "      Drain (standing) water\n"
        "```"
    )
    assert texts(parse_outline(text)) == [
        "Malaria",
        ["Causes", "Mosquito bites", "Parasite Plasmodium"],
        ["Symptoms", "Fever", "Chills", "Headache"],
        ["Prevention", "Bed nets", "Drain (standing) water"],
    ]


def test_outline_mermaid_with_several_roots() -> None:
    assert texts(parse_outline("mindmap\nA\n  a\nB")) == ["Mind map", ["A", "a"], "B"]


def test_outline_depth_cap() -> None:
    text = "\n".join("  " * level + f"- level {level + 1}" for level in range(10))
    root = parse_outline(text)
    assert depth(root) == MAX_DEPTH
    assert root.text == "level 1"


def test_outline_node_cap_keeps_the_first_nodes() -> None:
    text = "- Root\n" + "\n".join(f"  - Branch {i}\n    - Leaf {i}" for i in range(300))
    root = parse_outline(text)
    assert count(root) == MAX_NODES
    assert root.children[0] == Node("Branch 0", (Node("Leaf 0"),))
    assert root.children[-1].text == f"Branch {(MAX_NODES - 1) // 2}"


def test_outline_long_text_is_shortened() -> None:
    node = parse_outline("- Root\n  - " + "word " * 100).children[0]
    assert len(node.text) <= 200 and node.text.endswith("…")


def test_outline_skips_empty_items() -> None:
    assert texts(parse_outline("- Root\n  - **  **\n  - Real")) == ["Root", "Real"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "I'm sorry, I can't draw mind maps.",
        "Photosynthesis is how plants make food from light.",
        "# Only a title",
        "- Only a root",
        "mindmap\n  root((Alone))",
        "mindmap",
        "```\n```",
        "{not: an outline}",
        "- " + "x" * 10 + "\n" * 300_000,
    ],
)
def test_outline_garbage(text: str) -> None:
    with pytest.raises(StructuredError):
        parse_outline(text)


def test_mindmap_prompt() -> None:
    prompt = mindmap_prompt("  Volcanoes ")
    assert "Topic: Volcanoes" in prompt and "bullet" in prompt
    example = prompt.split("like this:\n")[1].split("Use ")[0]
    assert texts(parse_outline(example)) == ["Topic", ["Main idea", "Detail"]]


CODE_QUIZ = q(
    "What does this Markdown show?",
    choices=["A Python code block", "A table"],
    explanation='A fence opens it: "```python\nprint(1)\n```" shows code. [1] is a list.',
)


@pytest.mark.parametrize("wrap", ["{}", "  {}\n", "```json\n{}\n```", "Here it is:\n```json\n{}\n```"])
def test_a_quiz_about_code_keeps_the_fences_inside_its_strings(wrap: str) -> None:
    """Valid JSON is read as the JSON it is, fences in its strings and all; the tolerant
    fallbacks (strip a fence, find the list) only apply when it is not valid as a whole."""
    (question,) = parse_quiz(wrap.format(quiz(CODE_QUIZ)))
    assert question.explanation == CODE_QUIZ["explanation"] and question.choices[0] == "A Python code block"
