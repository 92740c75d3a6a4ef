"""Conversation records (schema 1), titles, search and the Shelf. Pure."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tabula.chat.conversations import (
    INTERRUPTED,
    SCHEMA,
    TITLE_LENGTH,
    Conversation,
    Shelf,
    from_record,
    merged,
    next_message_id,
    search,
    title_for,
    to_record,
    with_messages,
)
from tabula.chat.messages import Message


def conv(cid: str = "c1", *texts: str, updated: float = 10.0, title: str = "") -> Conversation:
    """A conversation of alternating user/model messages with these texts."""
    messages = tuple(Message(i + 1, "user" if i % 2 == 0 else "model", t) for i, t in enumerate(texts))
    return Conversation(cid, title or title_for(messages), 1.0, updated, messages)


def good_record() -> dict:
    return to_record(conv("c1", "What is a volcano?", "A mountain that erupts."))


# ---- titles ---------------------------------------------------------------------------------------


def test_title_is_the_first_user_message() -> None:
    messages = (
        Message(1, "model", "Welcome!"),
        Message(2, "user", "   "),
        Message(3, "user", "Rivers lesson"),
        Message(4, "user", "Later question"),
    )
    assert title_for(messages) == "Rivers lesson"


def test_title_collapses_whitespace() -> None:
    assert (
        title_for((Message(1, "user", "  Plan\n\tthe   geography\r\n lesson  "),))
        == "Plan the geography lesson"
    )


def test_title_is_shortened_with_an_ellipsis() -> None:
    long = "word " * 40
    title = title_for((Message(1, "user", long),))
    assert len(title) == TITLE_LENGTH and title.endswith("…")
    assert title[:-1] == " ".join(long.split())[: TITLE_LENGTH - 1]


def test_title_of_exactly_the_limit_is_kept_whole() -> None:
    text = "x" * TITLE_LENGTH
    assert title_for((Message(1, "user", text),)) == text


def test_title_before_any_user_message_is_new_chat() -> None:
    assert title_for(()) == "New chat"
    assert title_for((Message(1, "model", "Hello"), Message(2, "user", " \n "))) == "New chat"


def test_with_messages_follows_the_first_message_unless_named() -> None:
    messages = (Message(1, "user", "Fractions"),)
    fresh = Conversation("c1", "New chat", 1.0, 1.0)
    updated = with_messages(fresh, messages, 5.0)
    assert (updated.title, updated.updated, updated.messages) == ("Fractions", 5.0, messages)
    named = replace(fresh, title="Maths", named=True)
    assert with_messages(named, messages, 5.0).title == "Maths"


# ---- records --------------------------------------------------------------------------------------


def test_a_record_round_trips_equal_through_json() -> None:
    original = Conversation(
        "c1", "Volcanoes", 100.5, 200.25,
        (
            Message(1, "user", "What is a volcano?"),
            Message(2, "model", "A mountain…", "done", "Local · Tiny", 120.0, 14.5, 33, "a note", ""),
            Message(3, "model", "", "failed", error="The model could not load."),
        ),
        named=True,
    )  # fmt: skip
    record = json.loads(json.dumps(to_record(original)))
    assert record["v"] == SCHEMA
    assert from_record(record) == original


def test_a_saved_streaming_answer_loads_as_stopped_with_its_text_and_a_note() -> None:
    record = good_record()
    record["messages"][1].update(status="streaming", text="A mountain th")
    answer = from_record(record).messages[1]
    assert (answer.status, answer.text, answer.note) == ("stopped", "A mountain th", INTERRUPTED)


def test_a_saved_waiting_answer_loads_as_stopped_not_spinning() -> None:
    record = good_record()
    record["messages"][1].update(status="waiting", text="")
    answer = from_record(record).messages[1]
    assert (answer.status, answer.note) == ("stopped", INTERRUPTED)


@pytest.mark.parametrize("status", ["done", "stopped", "cancelled", "failed"])
def test_final_answers_load_unchanged(status: str) -> None:
    record = good_record()
    record["messages"][1]["status"] = status
    assert from_record(record).messages[1] == Message(2, "model", "A mountain that erupts.", status)


def test_unknown_message_fields_are_ignored() -> None:
    record = good_record()
    record["messages"][0]["future_field"] = 1
    assert from_record(record).messages[0] == Message(1, "user", "What is a volcano?")


def _damaged(change) -> dict:
    record = good_record()
    change(record)
    return record


DAMAGED = {
    "none": None,
    "a string": "a string",
    "a list": [1, 2],
    "empty": {},
    "schema 2": _damaged(lambda r: r.update(v=2)),
    "no schema": _damaged(lambda r: r.pop("v")),
    "no id": _damaged(lambda r: r.pop("id")),
    "no title": _damaged(lambda r: r.pop("title")),
    "no created": _damaged(lambda r: r.pop("created")),
    "no updated": _damaged(lambda r: r.pop("updated")),
    "no messages": _damaged(lambda r: r.pop("messages")),
    "messages null": _damaged(lambda r: r.update(messages=None)),
    "created null": _damaged(lambda r: r.update(created=None)),
    "updated not a number": _damaged(lambda r: r.update(updated="yesterday")),
    "created too large for a float": _damaged(lambda r: r.update(created=10**400)),  # valid JSON
    "message not an object": _damaged(lambda r: r["messages"].append("hello")),
    "message role system": _damaged(lambda r: r["messages"][0].update(role="system")),
    "message without role": _damaged(lambda r: r["messages"][0].pop("role")),
    "message text null": _damaged(lambda r: r["messages"][0].update(text=None)),
    "message text a number": _damaged(lambda r: r["messages"][0].update(text=42)),
    "message without text": _damaged(lambda r: r["messages"][0].pop("text")),
    "message without id": _damaged(lambda r: r["messages"][0].pop("id")),
}


@pytest.mark.parametrize("record", DAMAGED.values(), ids=DAMAGED.keys())
def test_from_record_rejects_anything_that_is_not_a_conversation(record: object) -> None:
    with pytest.raises(ValueError):
        from_record(record)


# ---- search ---------------------------------------------------------------------------------------


SHELF = (
    conv("a", "Volcanoes lesson", "Magma rises through the crust.", updated=3.0),
    conv("b", "Rivers lesson", "Rivers carve valleys.", updated=2.0),
    conv("c", "Fractions", "Halves and quarters.", updated=1.0, title="Maths: VOLCANO day"),
)


def ids(convs: tuple[Conversation, ...]) -> list[str]:
    return [c.id for c in convs]


def test_empty_query_returns_every_conversation() -> None:
    assert search(SHELF, "") == SHELF
    assert search(SHELF, "   ") == SHELF


def test_search_ignores_case_and_looks_at_titles() -> None:
    assert ids(search(SHELF, "volcano")) == ["a", "c"]
    assert ids(search(SHELF, "LESSON")) == ["a", "b"]


def test_search_looks_at_message_text() -> None:
    assert ids(search(SHELF, "valleys")) == ["b"]
    assert ids(search(SHELF, "magma")) == ["a"]


def test_search_needs_every_word() -> None:
    assert ids(search(SHELF, "rivers valleys")) == ["b"]
    assert ids(search(SHELF, "rivers magma")) == []
    assert ids(search(SHELF, "  Volcano   MATHS ")) == ["c"]


# ---- shelf ----------------------------------------------------------------------------------------


def test_shelf_put_sorts_most_recent_first() -> None:
    shelf = Shelf()
    for c in (conv("old", updated=1.0), conv("new", updated=3.0), conv("mid", updated=2.0)):
        shelf = shelf.put(c)
    assert ids(shelf.conversations) == ["new", "mid", "old"]


def test_shelf_put_replaces_by_id() -> None:
    shelf = Shelf().put(conv("a", "First", updated=1.0)).put(conv("b", updated=2.0))
    shelf = shelf.put(conv("a", "First", "Again", updated=5.0))
    assert ids(shelf.conversations) == ["a", "b"]
    assert shelf.get("a") is not None and len(shelf.get("a").messages) == 2  # type: ignore[union-attr]


def test_shelf_get_and_without() -> None:
    shelf = Shelf().put(conv("a")).put(conv("b", updated=20.0))
    assert shelf.get("missing") is None
    assert ids(shelf.without("a").conversations) == ["b"]
    assert shelf.without("missing") == shelf


NOW = 1_797_000_000.0  # 2026-12-08, in seconds


def test_messages_two_windows_write_before_hearing_each_other_keep_the_order_they_were_written() -> None:
    """Two windows add to one conversation 0.3 s apart, in the same second, before either has heard
    the other's save (a busy tablet): merged, the earlier message comes first, every time. Ids
    counted whole seconds with a random step, so half the time the later one came first (CI's
    two-window journey read the other window's answer as its own)."""
    for after in (next_message_id(0, NOW - 60), (int(NOW) << 20) + 5):  # an id of now, of the old scheme
        for _ in range(50):
            first = Message(next_message_id(after, NOW + 0.2), "user", "And lava?")
            second = Message(next_message_id(after, NOW + 0.5), "user", "And ash?")
            assert merged((first,), (second,)) == (first, second)
            assert merged((second,), (first,)) == (first, second)


def test_message_ids_stay_exact_in_javascript_for_decades() -> None:
    assert next_message_id(0, 4_102_444_800.0) < 2**53  # 2100-01-01
