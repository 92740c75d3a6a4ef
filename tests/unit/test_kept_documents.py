"""Documents kept with their conversation (issue #24): the text and page map (never the file) go in
the conversation's record, survive a reload (the record as IndexedDB keeps it: FakeChatStore
stores JSON text), leave with the conversation's JSON export and come back with its import; the
chat lists them, each with Remove, and removing one drops its text from storage."""

from __future__ import annotations

import json

from tabula.chat import documents
from tabula.chat.archive import read_import
from tabula.chat.conversations import Conversation, from_record, to_record
from tabula.chat.export import export_json
from tabula.chat.library import Library
from tabula.ui.views.chat import kept_documents
from tests import documents as made
from tests.aio import run
from tests.unit.test_library import Rig

GUIDE = documents.from_pdf("guide.pdf", [*made.GUIDE, ""])  # the last page is an image


def test_a_record_keeps_the_text_and_page_map() -> None:
    conv = Conversation("c1", "Guide", 1.0, 2.0, documents=(GUIDE,))
    back = from_record(json.loads(json.dumps(to_record(conv))))
    assert back == conv and back.documents[0].sections[3].label == "4" and back.documents[0].scanned == (7,)
    old = {k: v for k, v in to_record(conv).items() if k != "documents"}  # a record from before
    assert from_record(old).documents == ()


def test_export_and_import_bring_the_documents_back() -> None:
    conv = Conversation("c1", "Guide", 1.0, 2.0, documents=(GUIDE,))
    (imported,) = read_import(export_json([conv], 3.0), existing_ids=(), now=4.0).conversations
    assert imported.documents == (GUIDE,)


def test_a_kept_document_survives_a_reload_is_listed_and_removing_it_drops_its_text() -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.library.load()
        rig.library.keep_document(GUIDE)
        rig.library.keep_document(GUIDE)  # opened again: kept once
        await rig.settle()
        current = rig.library.shelf.current
        stored = rig.chats.record(current)
        assert [d["title"] for d in stored["documents"]] == ["guide.pdf"]
        assert stored["documents"][0]["sections"][3] == ["page", "4", GUIDE.sections[3].text]

        again = Library(rig.store.__class__(rig.store.state.__class__()), rig.chats, rig.spawn)  # a reload
        await again.load()
        conv = again.shelf.get(current)
        assert conv is not None and conv.documents == (GUIDE,)
        html = kept_documents(conv)
        assert "guide.pdf" in html and 'data-action="remove-document" data-index="0"' in html

        rig.actions["remove-document"]({"index": "0"})
        await rig.settle()
        assert rig.chats.record(current)["documents"] == []
        assert made.ANSWER_TEXT not in rig.chats.values[current]
        assert kept_documents(rig.library.shelf.get(current)) == ""

    run(scenario())
