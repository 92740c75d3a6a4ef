"""Conversation files (chat/archive.py and chat/export.py): JSON export and its careful import,
Markdown export, file names. Pure."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace

import pytest

from tabula.chat import archive
from tabula.chat.archive import (
    FORMAT,
    MAX_CONVERSATIONS,
    MAX_IMPORT_CHARS,
    MAX_MESSAGES,
    MAX_TEXT,
    Imported,
    ImportProblem,
    read_import,
)
from tabula.chat.conversations import INTERRUPTED, Conversation, to_record
from tabula.chat.export import export_json, export_markdown, filename
from tabula.chat.messages import Message

NOW = 1_796_040_000.0  # 2026-11-30 12:00:00 UTC
LATER = NOW + 3600


def conv(cid: str, title: str, *texts: str, created: float = NOW - 600) -> Conversation:
    """Alternating user/model messages with these texts; answers carry an engine badge."""
    messages = tuple(
        Message(i + 1, "user", t) if i % 2 == 0 else Message(i + 1, "model", t, engine="Local · Gemma 3 1B")
        for i, t in enumerate(texts)
    )
    return Conversation(cid, title, created, created + 60, messages)


def samples() -> list[Conversation]:
    volcano = conv("c18f3a0b1c2", "What is a volcano?", "What is a volcano?", "A mountain that erupts. 🌋")
    html = conv(
        "c18f3a0b1c3",
        "<img src=x onerror=alert(1)>",
        "<script>alert('hi')</script> & <b>bold</b>",
        '<a href="javascript:alert(1)">click</a>',
    )
    markdown = conv("c18f3a0b1c4", "Tablas", "Haz una tabla", "| a | b |\n|---|---|\n| 1 | 2 |\n\n# Título\n")
    unicode_ = conv("c18f3a0b1c5", "Ünïcödé 日本語 «ok»", "Zażółć gęślą jaźń", "مرحبا — 你好 — 👩🏽‍🏫\u200b")
    stopped = Message(2, "model", "Half an ans", status="stopped", engine="Cloud · Gemini", note="Stopped.")
    measured = Message(
        4, "model", "Done", engine="Local · Gemma", ttft_ms=812.5, tokens_per_s=14.2, tokens=33
    )
    failed = Message(6, "model", "", status="failed", engine="Cloud · Gemini", error="The key was refused.")
    mixed = Conversation(
        "c18f3a0b1c6",
        "Renamed by me",
        NOW - 100,
        NOW - 50,
        (
            Message(1, "user", "Q1"),
            stopped,
            Message(3, "user", "Q2"),
            measured,
            Message(5, "user", "Q3"),
            failed,
        ),
        named=True,
    )
    empty = Conversation("c18f3a0b1c7", "New chat", NOW, NOW)
    return [volcano, html, markdown, unicode_, mixed, empty]


def export_dict(convs: list[Conversation] | None = None) -> dict:
    return json.loads(export_json(samples() if convs is None else convs, NOW))


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def problem(text: str, existing: tuple[str, ...] = ()) -> str:
    with pytest.raises(ImportProblem) as caught:
        read_import(text, existing, LATER)
    return str(caught.value)


# ---- JSON export and round trip ------------------------------------------------------------------


def test_round_trip_gives_back_equal_conversations() -> None:
    convs = samples()
    imported = read_import(export_json(convs, NOW), (), LATER)
    assert imported == Imported(tuple(convs), skipped=0, renamed=0)


def test_round_trip_of_one_conversation() -> None:
    one = samples()[1]
    assert read_import(export_json([one], NOW), ["c1", "c2"], LATER).conversations == (one,)


def test_export_is_a_versioned_sorted_json_file() -> None:
    text = export_json(samples(), NOW)
    data = json.loads(text)
    assert data["format"] == FORMAT == "tabula.conversations"
    assert data["version"] == 1
    assert data["exported"] == "2026-11-30T12:00:00Z"
    assert data["conversations"] == [to_record(c) for c in samples()]
    assert list(data) == sorted(data)
    assert "🌋" in text and "日本語" in text  # ensure_ascii=False: readable, still valid UTF-8
    assert text.endswith("\n")
    text.encode("utf-8")


def test_html_in_messages_is_kept_as_text() -> None:
    imported = read_import(export_json(samples(), NOW), (), LATER).conversations[1]
    assert imported.title == "<img src=x onerror=alert(1)>"
    assert imported.messages[0].text == "<script>alert('hi')</script> & <b>bold</b>"


def test_a_bare_conversation_record_is_read_too() -> None:
    one = samples()[0]
    assert read_import(json.dumps(to_record(one)), (), LATER).conversations == (one,)


def test_a_byte_order_mark_is_tolerated() -> None:
    assert read_import("\ufeff" + export_json(samples(), NOW), (), LATER).conversations == tuple(samples())


def test_unknown_extra_keys_are_ignored() -> None:
    data = export_dict()
    data["comment"] = {"anything": [1, 2, 3]}
    data["conversations"][0]["colour"] = "blue"
    data["conversations"][0]["messages"][0]["mood"] = {"deep": [None]}
    assert read_import(dumps(data), (), LATER).conversations == tuple(samples())


def test_readable_nesting_under_an_unknown_key_is_ignored() -> None:
    text = export_json(samples(), NOW).replace(
        '"format"', '"extra": ' + "[" * 500 + "]" * 500 + ', "format"', 1
    )
    assert read_import(text, (), LATER).conversations == tuple(samples())


def test_an_answer_saved_mid_stream_comes_back_stopped() -> None:
    data = export_dict()
    data["conversations"][0]["messages"][1]["status"] = "streaming"
    answer = read_import(dumps(data), (), LATER).conversations[0].messages[1]
    assert (answer.status, answer.note) == ("stopped", INTERRUPTED)


def test_lone_surrogates_become_replacement_characters() -> None:
    text = export_json(samples(), NOW).replace("What is a volcano?", "Broken \\ud800 \\udc00\\ud800 pair")
    imported = read_import(text, (), LATER)
    assert imported.conversations[0].title == "Broken \ufffd \ufffd\ufffd pair"
    assert imported.conversations[0].messages[0].text == "Broken \ufffd \ufffd\ufffd pair"
    assert imported.conversations[0].messages[1].text.endswith("🌋")  # a real pair stays one emoji
    export_json(imported.conversations, NOW).encode("utf-8")


# ---- ids ----------------------------------------------------------------------------------------


def test_a_taken_id_gets_a_fresh_one_and_nothing_is_overwritten() -> None:
    convs = samples()
    imported = read_import(export_json(convs, NOW), {convs[0].id, "other"}, LATER)
    assert imported.renamed == 1
    assert imported.conversations[0].id == f"i{int(LATER * 1000):x}-0"
    assert imported.conversations[0] == replace(convs[0], id=imported.conversations[0].id)
    assert imported.conversations[1:] == tuple(convs[1:])


def test_fresh_ids_are_deterministic_and_unique() -> None:
    text = export_json(samples(), NOW)
    ids = [c.id for c in samples()]
    first = read_import(text, ids, LATER)
    assert first == read_import(text, ids, LATER)
    assert first.renamed == len(ids)
    assert len({c.id for c in first.conversations} | set(ids)) == 2 * len(ids)


def test_a_fresh_id_avoids_ids_already_taken() -> None:
    fresh = f"i{int(LATER * 1000):x}-0"
    imported = read_import(export_json(samples()[:1], NOW), {samples()[0].id, fresh}, LATER)
    assert imported.conversations[0].id == fresh + "-1"


def test_a_repeated_id_inside_the_file_is_renamed() -> None:
    a, b = samples()[0], replace(samples()[1], id=samples()[0].id)
    imported = read_import(export_json([a, b], NOW), (), LATER)
    assert imported.renamed == 1
    assert imported.conversations[0] == a
    assert imported.conversations[1].id != a.id and imported.conversations[1].messages == b.messages


@pytest.mark.parametrize("odd", ["", "a b", "x" * 101, "<script>", "ñ", 'a"b'])
def test_an_id_tabula_would_not_make_is_replaced(odd: str) -> None:
    imported = read_import(export_json([replace(samples()[0], id=odd)], NOW), (), LATER)
    assert imported.renamed == 1 and imported.conversations[0].id == f"i{int(LATER * 1000):x}-0"


def test_exact_copies_in_the_file_are_skipped() -> None:
    one = samples()[0]
    imported = read_import(export_json([one, one, one], NOW), (), LATER)
    assert imported == Imported((one,), skipped=2, renamed=0)


def test_conversations_already_on_the_device_are_skipped() -> None:
    convs = samples()
    imported = read_import(export_json(convs, NOW), [c.id for c in convs], LATER, on_device=convs[:2])
    assert imported.skipped == 2
    assert imported.renamed == len(convs) - 2
    assert [c.title for c in imported.conversations] == [c.title for c in convs[2:]]


def test_repeated_message_ids_are_renumbered() -> None:
    data = export_dict(samples()[4:5])
    for message in data["conversations"][0]["messages"]:
        message["id"] = 7
    messages = read_import(dumps(data), (), LATER).conversations[0].messages
    assert [m.id for m in messages] == [1, 2, 3, 4, 5, 6]
    assert [m.text for m in messages] == [m.text for m in samples()[4].messages]


def test_message_ids_too_big_for_javascript_are_renumbered() -> None:
    data = export_dict(samples()[:1])
    data["conversations"][0]["messages"][0]["id"] = 2**60
    assert [m.id for m in read_import(dumps(data), (), LATER).conversations[0].messages] == [1, 2]


# ---- Markdown -----------------------------------------------------------------------------------


def test_markdown_has_a_heading_per_conversation_and_labelled_messages() -> None:
    text = export_markdown(samples()[:1], NOW)
    assert text.startswith("# What is a volcano?\n")
    assert "*Tabula conversation, started 2026-11-30 11:50 UTC; exported 2026-11-30 12:00 UTC.*" in text
    assert "**You:**\n\nWhat is a volcano?" in text
    assert "**Local · Gemma 3 1B:**\n\nA mountain that erupts. 🌋" in text


def test_markdown_separates_conversations() -> None:
    text = export_markdown(samples(), NOW)
    assert text.count("\n---\n") == len(samples()) - 1
    assert sum(line.startswith("# ") for line in text.splitlines()) == len(samples()) + 1  # + "# Título"


def test_markdown_answers_without_an_engine_are_gemma() -> None:
    plain = Conversation("c1", "t", NOW, NOW, (Message(1, "user", "hi"), Message(2, "model", "hello")))
    assert "**Gemma:**\n\nhello" in export_markdown([plain], NOW)


def test_markdown_notes_unfinished_and_failed_answers() -> None:
    text = export_markdown(samples()[4:5], NOW)
    assert "Half an ans\n\n*(Stopped.)*" in text
    assert "**Cloud · Gemini:**\n\n*(The key was refused.)*" in text
    cancelled = Message(2, "model", "Par", status="cancelled")
    bare = Conversation(
        "c1", "t", NOW, NOW, (Message(1, "user", "q"), cancelled, replace(cancelled, id=3, status="stopped"))
    )
    text = export_markdown([bare], NOW)
    assert "*(Cancelled before the answer was finished.)*" in text
    assert "*(Stopped before the answer was finished.)*" in text


def test_markdown_keeps_message_text_as_written() -> None:
    text = export_markdown(samples()[1:3], NOW)
    assert "<script>alert('hi')</script> & <b>bold</b>" in text
    assert "| a | b |\n|---|---|\n| 1 | 2 |" in text


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        ("# Not a heading", "# \\# Not a heading"),
        ("Line one\n\n# two\n---", "# Line one \\# two ---"),
        ("*bold* _it_ [link](x) <b>", "# \\*bold\\* \\_it\\_ \\[link\\](x) \\<b\\>"),
        ("   ", "# Untitled chat"),
        ("Closing ###", "# Closing \\#\\#\\#"),
    ],
)
def test_markdown_titles_cannot_break_the_structure(title: str, heading: str) -> None:
    text = export_markdown([Conversation("c1", title, NOW, NOW)], NOW)
    assert text.splitlines()[0] == heading


# ---- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("What is a volcano?", "tabula-what-is-a-volcano-2026-11-30.json"),
        ("Éclair über Café", "tabula-eclair-uber-cafe-2026-11-30.json"),
        ("日本語 🌋", "tabula-chat-2026-11-30.json"),
        ("", "tabula-chat-2026-11-30.json"),
        ("../../etc/passwd", "tabula-etc-passwd-2026-11-30.json"),
        ("a" * 39 + " b" * 10, f"tabula-{'a' * 39}-2026-11-30.json"),
    ],
)
def test_one_conversation_is_named_after_its_title(title: str, name: str) -> None:
    assert filename([Conversation("c1", title, NOW, NOW)], NOW, "json") == name


def test_slug_is_at_most_40_characters() -> None:
    name = filename([Conversation("c1", "word " * 30, NOW, NOW)], NOW, "md")
    slug = name.removeprefix("tabula-").removesuffix("-2026-11-30.md")
    assert len(slug) <= 40 and not slug.endswith("-") and set(slug) <= set("word-")


def test_several_conversations_share_one_name() -> None:
    assert filename(samples(), NOW, "md") == "tabula-conversations-2026-11-30.md"
    assert filename(samples(), NOW, ".json") == "tabula-conversations-2026-11-30.json"


# ---- whole-file rejections ----------------------------------------------------------------------


def test_a_file_too_big_is_refused_before_reading_it() -> None:
    assert (
        problem(" " * (MAX_IMPORT_CHARS + 1))
        == "This file is too big to import (20.0 MB; the limit is 20 MB)."
    )


@pytest.mark.parametrize("text", ["", "hello", "{", '{"format": ', "<html></html>", "[1, 2,]", "{'a': 1}"])
def test_text_that_is_not_json_is_refused(text: str) -> None:
    assert problem(text) == archive.UNREADABLE


def test_a_markdown_export_is_explained() -> None:
    assert problem(export_markdown(samples(), NOW)) == archive.MARKDOWN
    assert "for reading only" in archive.MARKDOWN


def test_deep_nesting_is_refused_without_crashing() -> None:
    assert problem("[" * 200_000 + "]" * 200_000) == archive.TOO_DEEP


@pytest.mark.parametrize(
    "data", [[], [1, 2], "text", 3, None, True, float("nan"), {}, {"conversations": []}, {"v": 1}]
)
def test_json_that_is_not_tabula_data_is_refused(data: object) -> None:
    assert problem(json.dumps(data)) == archive.NOT_TABULA


@pytest.mark.parametrize("fmt", ["other.app", None, 1, ["tabula.conversations"], "Tabula.Conversations"])
def test_another_programs_file_is_refused(fmt: object) -> None:
    data = export_dict()
    data["format"] = fmt
    assert problem(dumps(data)) == archive.OTHER_PROGRAM


@pytest.mark.parametrize("version", [2, 17, 10**30])
def test_a_newer_tabulas_file_asks_for_an_update(version: int) -> None:
    data = export_dict()
    data["version"] = version
    assert "made by a newer version of Tabula" in problem(dumps(data))


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None, [1]])
def test_an_unknown_version_is_refused(version: object) -> None:
    data = export_dict()
    data["version"] = version
    assert problem(dumps(data)) == archive.UNKNOWN_VERSION


def test_a_bare_record_from_a_newer_tabula_asks_for_an_update() -> None:
    record = to_record(samples()[0]) | {"v": 2}
    assert problem(json.dumps(record)) == archive.NEWER
    data = export_dict()
    data["conversations"][2]["v"] = 3
    assert problem(dumps(data)) == archive.NEWER


@pytest.mark.parametrize("listing", [None, {}, "all", 5])
def test_a_missing_list_of_conversations_is_refused(listing: object) -> None:
    data = export_dict()
    data["conversations"] = listing
    assert problem(dumps(data)) == archive.NO_LIST


def test_a_file_without_conversations_is_refused() -> None:
    assert problem(export_json([], NOW)) == "This file holds no conversations, so there is nothing to import."


def test_too_many_conversations_are_refused() -> None:
    record = to_record(Conversation("c1", "t", NOW, NOW))
    data = {"format": FORMAT, "version": 1, "conversations": [record] * (MAX_CONVERSATIONS + 1)}
    assert (
        problem(json.dumps(data))
        == "This file holds 2,001 conversations; Tabula imports at most 2,000 at a time."
    )


def test_too_many_messages_in_one_conversation_are_refused() -> None:
    messages = tuple(Message(i, "user", "x") for i in range(1, MAX_MESSAGES + 2))
    text = export_json([samples()[0], Conversation("c1", "t", NOW, NOW, messages)], NOW)
    assert (
        problem(text)
        == "Conversation 2 in this file has 5,001 messages; the limit is 5,000. Nothing was imported."
    )


@pytest.mark.parametrize("field", ["text", "engine", "note", "error"])
def test_a_message_too_long_is_refused(field: str) -> None:
    data = export_dict()
    data["conversations"][3]["messages"][1][field] = "x" * (MAX_TEXT + 1)
    assert problem(dumps(data)) == (
        "Conversation 4 in this file has a message that is too long (200,001 characters; "
        "the limit is 200,000). Nothing was imported."
    )


def test_the_longest_allowed_message_is_accepted() -> None:
    data = export_dict(samples()[:1])
    data["conversations"][0]["messages"][0]["text"] = "x" * MAX_TEXT
    assert len(read_import(dumps(data), (), LATER).conversations[0].messages[0].text) == MAX_TEXT


# ---- damaged conversations (hostile content) ----------------------------------------------------

Mutation = Callable[[dict], object]


def _set(path: tuple, value: object) -> Mutation:
    """A mutation that sets data["conversations"][...path...] = value."""

    def mutate(data: dict) -> None:
        target = data["conversations"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: tuple) -> Mutation:
    def mutate(data: dict) -> None:
        target = data["conversations"]
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


HOSTILE: list[tuple[str, Mutation, str]] = [
    ("record is a string", _set((1,), "hello"), "it is not a conversation Tabula can read"),
    ("record is a list", _set((1,), [1, 2]), "it is not a conversation Tabula can read"),
    ("record is null", _set((1,), None), "it is not a conversation Tabula can read"),
    ("schema missing", _drop((1, "v")), "it is not a conversation Tabula can read"),
    ("schema as string", _set((1, "v"), "1"), "it is not a conversation Tabula can read"),
    ("schema as bool", _set((1, "v"), True), "it is not a conversation Tabula can read"),
    ("schema as float", _set((1, "v"), 1.0), "it is not a conversation Tabula can read"),
    ("id as number", _set((1, "id"), 12345), "its id is unreadable"),
    ("id as bool", _set((1, "id"), True), "its id is unreadable"),
    ("id as object", _set((1, "id"), {"$gt": ""}), "its id is unreadable"),
    ("id missing", _drop((1, "id")), "its id is unreadable"),
    ("title as number", _set((1, "title"), 7), "its title is unreadable"),
    ("title as object", _set((1, "title"), {"text": "x"}), "its title is unreadable"),
    ("title missing", _drop((1, "title")), "its title is unreadable"),
    ("named as string", _set((1, "named"), "yes"), "its title setting is unreadable"),
    ("created as string", _set((1, "created"), "1796040000"), "its dates are unreadable"),
    ("created NaN", _set((1, "created"), float("nan")), "its dates are unreadable"),
    ("updated Infinity", _set((1, "updated"), float("inf")), "its dates are unreadable"),
    ("created huge", _set((1, "created"), 10**400), "its dates are unreadable"),
    ("created negative", _set((1, "created"), -5), "its dates are unreadable"),
    ("created bool", _set((1, "created"), True), "its dates are unreadable"),
    ("created missing", _drop((1, "created")), "its dates are unreadable"),
    ("messages as string", _set((1, "messages"), "hi"), "its messages are unreadable"),
    ("messages as object", _set((1, "messages"), {"0": {}}), "its messages are unreadable"),
    ("messages missing", _drop((1, "messages")), "its messages are unreadable"),
    ("message is a string", _set((1, "messages", 1), "hi"), "message 2 is not a message"),
    ("role system", _set((1, "messages", 0, "role"), "system"), "message 1 has an unreadable sender"),
    ("role as list", _set((1, "messages", 0, "role"), ["user"]), "message 1 has an unreadable sender"),
    ("role missing", _drop((1, "messages", 1, "role")), "message 2 has no sender"),
    ("text missing", _drop((1, "messages", 1, "text")), "message 2 has no text"),
    ("text as number", _set((1, "messages", 1, "text"), 42), "message 2 has an unreadable text"),
    ("text as object", _set((1, "messages", 1, "text"), {"html": "<b>"}), "message 2 has an unreadable text"),
    ("text null", _set((1, "messages", 1, "text"), None), "message 2 has an unreadable text"),
    ("id as string", _set((1, "messages", 0, "id"), "1"), "message 1 has an unreadable number"),
    ("id as float", _set((1, "messages", 0, "id"), 1.5), "message 1 has an unreadable number"),
    ("id as bool", _set((1, "messages", 0, "id"), False), "message 1 has an unreadable number"),
    ("id missing", _drop((1, "messages", 0, "id")), "message 1 has no number"),
    ("status unknown", _set((1, "messages", 1, "status"), "hacked"), "message 2 has an unreadable status"),
    ("status as list", _set((1, "messages", 1, "status"), ["done"]), "message 2 has an unreadable status"),
    (
        "engine as object",
        _set((1, "messages", 1, "engine"), {"a": 1}),
        "message 2 has an unreadable engine name",
    ),
    ("note as number", _set((1, "messages", 1, "note"), 3), "message 2 has an unreadable note"),
    ("error as list", _set((1, "messages", 1, "error"), ["x"]), "message 2 has an unreadable error message"),
    ("ttft as string", _set((1, "messages", 1, "ttft_ms"), "12"), "message 2 has an unreadable timing"),
    ("ttft negative", _set((1, "messages", 1, "ttft_ms"), -1), "message 2 has an unreadable timing"),
    (
        "speed NaN",
        _set((1, "messages", 1, "tokens_per_s"), float("nan")),
        "message 2 has an unreadable speed",
    ),
    ("speed huge", _set((1, "messages", 1, "tokens_per_s"), 1e300), "message 2 has an unreadable speed"),
    ("tokens as float", _set((1, "messages", 1, "tokens"), 3.5), "message 2 has an unreadable token count"),
    ("tokens as bool", _set((1, "messages", 1, "tokens"), True), "message 2 has an unreadable token count"),
    ("tokens huge", _set((1, "messages", 1, "tokens"), 10**100), "message 2 has an unreadable token count"),
]


@pytest.mark.parametrize(("mutate", "detail"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_a_damaged_conversation_refuses_the_whole_file(mutate: Mutation, detail: str) -> None:
    data = export_dict()
    mutate(data)
    text = json.dumps(data, ensure_ascii=False)  # writes NaN and Infinity as JSON's extensions
    assert problem(text) == f"Conversation 2 in this file is damaged ({detail}). Nothing was imported."


def test_the_damaged_conversation_is_counted_from_one() -> None:
    data = export_dict()
    data["conversations"][5]["title"] = None
    assert problem(dumps(data)).startswith("Conversation 6 in this file is damaged")


def test_a_literal_infinity_in_the_file_is_refused() -> None:
    text = export_json(samples(), NOW).replace(str(samples()[0].created), "1e999", 1)
    assert (
        problem(text)
        == "Conversation 1 in this file is damaged (its dates are unreadable). Nothing was imported."
    )


def test_a_number_with_too_many_digits_is_refused() -> None:
    text = export_json(samples(), NOW).replace('"tokens": 0', '"tokens": ' + "9" * 5000, 1)
    assert problem(text) == archive.UNREADABLE


# ---- nothing but ImportProblem ever escapes -----------------------------------------------------


def outcome(text: str) -> Imported | None:
    """The import of `text`, None when refused; any other exception fails the test."""
    try:
        imported = read_import(text, ("c18f3a0b1c2",), LATER)
    except ImportProblem as refused:
        assert str(refused) and str(refused)[0].isupper() and str(refused).endswith(".")
        return None
    export_json(imported.conversations, NOW).encode("utf-8")  # whatever was accepted exports cleanly
    export_markdown(imported.conversations, NOW)
    return imported


def test_truncated_files_never_crash() -> None:
    text = export_json(samples(), NOW)
    for end in range(0, len(text), max(1, len(text) // 400)):
        outcome(text[:end])
    assert outcome(text) is not None


def test_randomly_damaged_files_never_crash() -> None:
    rng = random.Random(20261130)
    text = export_json(samples(), NOW)
    alphabet = '{}[]":,0123456789.-+eE \\/nultrfaNIy\ud800\u0000é🌋'
    accepted = 0
    for _ in range(600):
        chars = list(text)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(chars))
            action = rng.random()
            if action < 0.5:
                chars[at] = rng.choice(alphabet)
            elif action < 0.75:
                del chars[at]
            else:
                chars.insert(at, rng.choice(alphabet))
        accepted += outcome("".join(chars)) is not None
    assert 0 < accepted < 600  # both paths were exercised


def test_randomly_damaged_values_never_crash() -> None:
    rng = random.Random(7)
    odd = [None, True, False, 0, -1, 1.5, 10**30, float("nan"), "", "x", [], {}, [1], {"a": "b"}, "9" * 30]
    for _ in range(400):
        data = export_dict()
        target: object = data
        while isinstance(target, (dict, list)) and target and rng.random() < 0.8:
            key = rng.choice(list(target)) if isinstance(target, dict) else rng.randrange(len(target))
            if not isinstance(target[key], (dict, list)) or rng.random() < 0.2:
                target[key] = rng.choice(odd)
                break
            target = target[key]
        outcome(json.dumps(data))


def test_problems_are_value_errors() -> None:
    assert issubclass(ImportProblem, ValueError)
