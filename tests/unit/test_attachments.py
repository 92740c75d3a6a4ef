"""Photos and voice notes in the chat (issue #25), on fakes: the limits and their sentences,
routing to a model that can take them (and what the chat says when the one in use cannot), the
attachments in the record and through a JSON export and import, the inference path handing the
asked message's attachments to the engine, and the cloud's inline data."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, replace

import pytest

from tabula.chat import export
from tabula.chat.answering import Chat
from tabula.chat.archive import read_import
from tabula.chat.conversations import Conversation, Shelf, from_record, title_for, to_record
from tabula.chat.files import ChatFiles
from tabula.chat.messages import Message
from tabula.cloud.access import CloudSettings
from tabula.cloud.wire import chat_request
from tabula.core.actions import ModelSelected, ShelfChanged, Store
from tabula.core.state import State
from tabula.engine.queue import InferenceQueue
from tabula.media import capability, checks
from tabula.media.attachments import Attachment, from_dict, to_dict
from tabula.media.checks import AttachmentProblem
from tabula.models.catalog import ModelSpec
from tabula.ui.handlers.chat import ChatControls
from tabula.ui.views.attachments import composing
from tests.aio import run
from tests.fakes import FakeCloudClient, FakeEngineFactory, FakeMediaStore, FakePage, FakePainter, sse

TINY = ModelSpec("tiny", "Tiny", "gemma3", "./models/tiny.task", 1, "00", "embedded")


@dataclass(frozen=True)
class SeeingSpec(ModelSpec):  # a catalogue record with the multi-file fields (models/catalog.py)
    format: str = "onnx"
    inputs: tuple[str, ...] = ("text", "image", "audio")


E2B = SeeingSpec(
    "e2b", "Gemma 4 E2B (photos, voice)", "gemma4", "https://h/e2b/", 3_400_000_000, "", "catalogue"
)
PHOTO = Attachment("m1-aa", "image", "image/jpeg", "label.jpg", 2048, 1024, 768)
VOICE = Attachment("m2-bb", "audio", "audio/wav", "note.wav", 96044, seconds=3.0)


def test_a_file_is_judged_by_kind_and_size_with_one_sentence_each() -> None:
    assert checks.check_file("IMG_1.HEIC", "", 10) == "image"
    assert checks.check_file("memo", "audio/mp4", 10) == "audio"
    with pytest.raises(AttachmentProblem, match=r"^notes.txt is not a photo or a sound file\."):
        checks.check_file("notes.txt", "text/plain", 10)
    with pytest.raises(AttachmentProblem, match=r"big.jpg is too large \(25.0 MB\): .* up to 20 MB\."):
        checks.check_file("big.jpg", "image/jpeg", 25_000_000)
    with pytest.raises(AttachmentProblem, match="could not be read as a photo"):
        checks.check_file("empty.png", "image/png", 0)
    with pytest.raises(AttachmentProblem, match="at most 4"):
        checks.check_file("a.png", "image/png", 10, held=("image",) * 4)
    with pytest.raises(AttachmentProblem, match="one voice note or sound file"):
        checks.check_file("b.wav", "audio/wav", 10, held=("image", "audio"))


def test_a_text_only_model_refuses_and_names_the_model_that_can() -> None:
    ready, nothing = (lambda m: True), (lambda m: False)
    said = capability.refusal("local", TINY, (TINY, E2B), ready, [PHOTO])
    assert said is not None and said.offer == "switch" and said.model_id == "e2b"
    assert (
        said.text == "Tiny cannot read photos. Gemma 4 E2B (photos, voice) can: switch to it and send again."
    )
    said = capability.refusal("local", TINY, (TINY, E2B), lambda m: m is TINY, [VOICE])
    assert said.offer == "download" and said.text.startswith("Tiny cannot hear voice notes")
    said = capability.refusal("local", TINY, (TINY,), nothing, [PHOTO, VOICE])
    assert (
        said.offer == "" and "such as Gemma 4 E2B" in said.text and "cannot read photos or hear" in said.text
    )
    assert capability.refusal("local", E2B, (TINY, E2B), ready, [PHOTO, VOICE]) is None
    assert capability.refusal("cloud", TINY, (TINY,), ready, [PHOTO]) is None  # the cloud was chosen
    assert capability.refusal("local", TINY, (TINY,), ready, []) is None


def test_attachments_are_kept_in_the_record_and_damaged_ones_refused() -> None:
    conv = Conversation(
        "c1", "t", 1.0, 2.0, (Message(5, "user", "what is this?", attachments=(PHOTO, VOICE)),)
    )
    assert from_record(json.loads(json.dumps(to_record(conv)))) == conv
    assert from_dict({**to_dict(VOICE), "seconds": 3}) == VOICE
    bad_ones = ({"kind": "video"}, {"mime": "text/html"}, {"mime": "image/svg+xml"}, {"mime": "audio/wav"}, {"id": "../x"}, {"size": -1}, {"width": "9"})  # fmt: skip
    for bad in bad_ones:
        with pytest.raises(ValueError, match="attachment"):
            from_dict({**to_dict(PHOTO), **bad})


def test_a_photo_sent_alone_names_its_conversation() -> None:
    assert (
        title_for((Message(1, "user", "", attachments=(PHOTO,)), Message(2, "model", "A label.")))
        == "label.jpg"
    )


def test_the_json_export_embeds_the_bytes_and_the_import_gives_them_back() -> None:
    conv = Conversation("c1", "t", 1.0, 2.0, (Message(5, "user", "read it", attachments=(PHOTO,)),))
    text = export.export_json([conv], 3.0, {PHOTO.id: "AAEC"})
    assert json.loads(text)["conversations"][0]["messages"][0]["attachments"][0]["data"] == "AAEC"
    imported = read_import(text, [], 4.0)
    assert imported.conversations == (conv,)
    assert [(e.id, e.kind, e.mime, e.data) for e in imported.media] == [
        (PHOTO.id, "image", "image/jpeg", "AAEC")
    ]
    assert read_import(text, ["c1"], 4.0, [conv]).media == ()  # already here: nothing to store
    assert "*(Photo: label.jpg (1024×768))*" in export.export_markdown([conv], 3.0)


def test_the_engine_is_given_the_asked_messages_attachments() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory(delay=0.001, family="gemma4")
        store = Store(State(catalog=(E2B,), model_id="e2b", ready=frozenset({"e2b"})))
        chat = Chat(store, InferenceQueue(factory), FakePainter())
        chat.send("read this", (PHOTO,))
        await asyncio.gather(*chat.tasks)
        chat.send("and now?")
        await asyncio.gather(*chat.tasks)
        assert factory.built[0].media == [(PHOTO,), ()]
        first, second = factory.built[0].prompts  # the asked photo's placeholder, in its own turn only
        assert "<|turn>user\n<|image|>read this<turn|>" in first
        assert "<|image|>" not in second
        assert store.state.messages[1].status == "done"

    run(scenario())


def test_an_answer_for_a_model_that_cannot_see_fails_with_the_sentence_never_without_the_photo() -> None:
    async def scenario() -> None:
        factory = FakeEngineFactory()
        store = Store(State(catalog=(TINY, E2B), model_id="tiny"))
        chat = Chat(store, InferenceQueue(factory), FakePainter())
        chat.send("read this", (PHOTO,))  # sent past the composer's check (the model changed since)
        await asyncio.gather(*chat.tasks)
        answer = store.state.messages[-1]
        assert answer.status == "failed" and answer.error.startswith("Tiny cannot read photos. Gemma 4 E2B")
        assert factory.built == [] or factory.built[0].prompts == []

    run(scenario())


def test_the_cloud_gets_photos_and_audio_as_inline_data() -> None:
    request = chat_request(
        "https://g", "m", "k", [("user", "what?", (("image/jpeg", "AAEC"),))], "", 0.5, 3, 9, True
    )
    (turn,) = json.loads(request.body)["contents"]
    assert turn["parts"] == [{"inline_data": {"mime_type": "image/jpeg", "data": "AAEC"}}, {"text": "what?"}]


def test_with_the_cloud_chosen_the_photo_goes_as_inline_data_and_in_private_mode_nowhere() -> None:
    async def scenario() -> None:
        cloud, media = FakeCloudClient(), FakeMediaStore()
        media.stored[PHOTO.id] = ("image", "image/jpeg", "AAEC")
        on = CloudSettings(key="k", private=False)
        store = Store(State(catalog=(TINY,), model_id="", cloud=on))  # no model here: the cloud is chosen
        chat = Chat(store, InferenceQueue(FakeEngineFactory()), FakePainter(), cloud, "https://g")
        chat.media = media
        chat.send("what is this?", (PHOTO,))
        call = await cloud.next_call()
        call.send(sse("A label."))
        call.end()
        await asyncio.gather(*chat.tasks)
        (turn,) = json.loads(call.request.body)["contents"]
        assert turn["parts"][0] == {"inline_data": {"mime_type": "image/jpeg", "data": "AAEC"}}
        assert store.state.messages[-1].text == "A label."
        private = Store(State(catalog=(TINY,), model_id="", cloud=replace(on, private=True)))
        chat = Chat(private, InferenceQueue(FakeEngineFactory()), FakePainter(), cloud, "https://g")
        chat.send("what is this?", (PHOTO,))
        await asyncio.gather(*chat.tasks)
        assert private.state.messages[-1].status == "failed" and len(cloud.calls) == 1  # nothing left

    run(scenario())


def composer(model: str = "tiny", media: FakeMediaStore | None = None):
    store = Store(State(catalog=(TINY, E2B), model_id=model, ready=frozenset({"e2b"})))
    notices: list[tuple[str, str]] = []
    chat = Chat(store, InferenceQueue(FakeEngineFactory()), FakePainter())
    controls = ChatControls(
        FakePage(hash_="#/chat"), chat, media or FakeMediaStore(), lambda k, t: notices.append((k, t))
    )
    return store, chat, controls, notices


def test_a_photo_is_added_shown_removable_and_routed_on_send() -> None:
    async def scenario() -> None:
        media = FakeMediaStore()
        store, chat, controls, _notices = composer(media=media)
        await controls.attach({"name": "page.jpg", "type": "image/jpeg", "width": 4000, "height": 3000})
        (held,) = store.state.shelf.composing.attachments
        assert (held.width, held.height, held.kind) == (1024, 768, "image") and held.id in media.stored
        controls.send({"message": "what does it say?"})
        refusal = store.state.shelf.composing.refusal
        assert refusal is not None and refusal.offer == "switch" and store.state.messages == ()
        assert store.state.shelf.composing.attachments == (held,)  # kept, never dropped
        assert 'data-action="use-model" data-id="e2b"' in composing(store.state.shelf.composing)
        store.dispatch(ModelSelected("e2b"))  # Switch to Gemma 4 E2B: the refusal named the old model
        assert store.state.shelf.composing.refusal is None
        controls.table()["remove-attachment"]({"id": held.id})
        await asyncio.gather(*chat.tasks)
        assert store.state.shelf.composing.attachments == () and media.stored == {}

    run(scenario())


def test_bad_files_get_one_sentence_and_nothing_is_kept() -> None:
    async def scenario() -> None:
        media = FakeMediaStore()
        store, _chat, controls, notices = composer(media=media)
        await controls.attach({"name": "notes.txt", "type": "text/plain"})
        await controls.attach({"name": "fake.png", "type": "image/png", "ok": False})
        await controls.attach({"name": "huge.wav", "type": "audio/wav", "size": 30_000_000})
        assert [t.split(" ")[0] for _k, t in notices] == ["notes.txt", "fake.png", "huge.wav"]
        assert "could not be read as a photo" in notices[1][1]
        assert media.stored == {} and store.state.shelf.composing.attachments == ()

    run(scenario())


def test_a_long_sound_file_is_cut_to_30_seconds_and_says_so_and_sends_on_a_model_that_hears() -> None:
    async def scenario() -> None:
        store, chat, controls, notices = composer("e2b")
        await controls.attach({"name": "talk.m4a", "type": "audio/mp4", "seconds": 95.0})
        (clip,) = store.state.shelf.composing.attachments
        assert clip.seconds == 30.0 and "only its first 30 s are kept" in notices[-1][1]
        controls.table()["use-voice"]({"how": "summarize"})
        user = store.state.messages[0]
        assert user.attachments == (clip,) and user.text.startswith("Write out this voice note")
        assert store.state.shelf.composing.attachments == ()
        await asyncio.gather(*chat.tasks)

    run(scenario())


def test_recording_shows_a_timer_stops_on_stop_and_keeps_a_wav() -> None:
    async def scenario() -> None:
        media = FakeMediaStore(recorded=1.5)
        store, chat, controls, notices = composer("e2b", media)
        controls.table()["record"]({})
        while store.state.shelf.composing.recording is None:
            await asyncio.sleep(0.01)
        controls.send({"message": "now?"})  # not while recording: it says so
        assert store.state.messages == () and notices[-1] == ("error", "Stop the recording first, then send.")
        controls.table()["stop-recording"]({})
        await asyncio.gather(*chat.tasks)
        (clip,) = store.state.shelf.composing.attachments
        assert (
            clip.mime == "audio/wav" and clip.seconds == 1.5 and store.state.shelf.composing.recording is None
        )
        denied = FakeMediaStore(microphone="NotAllowedError")
        _store, chat, controls, notices = composer("e2b", denied)
        controls.table()["record"]({})
        await asyncio.gather(*chat.tasks)
        assert "may not use the microphone" in notices[-1][1]

    run(scenario())


def test_a_use_case_without_its_attachment_says_what_to_add() -> None:
    store, _chat, controls, notices = composer("e2b")
    controls.table()["use-photo"]({"question": "dose?"})
    assert notices == [("error", "Add a photo first.")] and store.state.messages == ()
    assert replace(PHOTO).label == "label.jpg (1024×768)"


def test_bytes_no_message_refers_to_are_swept_a_day_later_once_the_chats_are_loaded() -> None:
    async def scenario() -> None:
        media = FakeMediaStore()
        store, chat, _controls, _notices = composer("e2b", media)
        now = time.time()
        old, fresh = f"m{int((now - 2 * 86_400) * 1000):x}-aa", f"m{int(now * 1000):x}-bb"
        for attachment_id in (old, fresh, PHOTO.id, "imported"):
            media.stored[attachment_id] = ("image", "image/png", "AA")
        conv = Conversation("c1", "t", 1.0, 2.0, (Message(5, "user", "x", attachments=(PHOTO,)),))
        store.dispatch(ShelfChanged(Shelf(conversations=(conv,), current="c1")))  # the library loaded
        await asyncio.gather(*chat.tasks)
        assert sorted(media.stored) == sorted([fresh, PHOTO.id, "imported"])  # PHOTO's id is old too

    run(scenario())


class ShelfLibrary:
    """The part of chat.library.Library that ChatFiles uses: the shelf, and adopting imports."""

    def __init__(self, shelf: Shelf) -> None:
        self.shelf, self.adopted = shelf, []

    def adopt(self, convs: tuple[Conversation, ...]) -> None:
        self.adopted.extend(convs)


class MediaFiles:
    """chat.ports.LocalFiles with its media store; a saved file is kept, a picked one is text."""

    def __init__(self) -> None:
        self.media, self.saved = FakeMediaStore(), []

    async def read_text(self, file: object, limit: int) -> tuple[str, str]:
        return "chats.json", str(file)

    def save_text(self, name: str, text: str, mime: str) -> None:
        self.saved.append((name, text))


def test_a_json_export_carries_the_stored_bytes_and_an_import_stores_them_on_another_device(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        conv = Conversation("c1", "Label", 1.0, 2.0, (Message(5, "user", "dose?", attachments=(PHOTO,)),))
        here, notices = MediaFiles(), []
        here.media.stored[PHOTO.id] = ("image", "image/jpeg", "AAEC")
        store, spawned = Store(State()), []
        files = ChatFiles(store, ShelfLibrary(Shelf((conv,), current="c1")), here, spawned.append)
        files.notice = lambda kind, text: notices.append((kind, text))
        files.export({"which": "current", "format": "json"})
        await spawned[0]
        ((name, text),) = here.saved
        assert name.endswith(".json") and '"data": "AAEC"' in text and notices[-1][0] == "ok"
        there, library = MediaFiles(), ShelfLibrary(Shelf())
        other = ChatFiles(Store(State()), library, there, lambda _c: None)
        other.notice = lambda kind, text: notices.append((kind, text))
        await other.import_file(text)
        assert library.adopted == [conv] and there.media.stored == {PHOTO.id: ("image", "image/jpeg", "AAEC")}
        monkeypatch.setattr("tabula.chat.archive.MAX_IMPORT_CHARS", 100)
        files.export({"which": "current", "format": "json"})
        await spawned[1]
        assert notices[-1][0] == "error" and "larger than Tabula imports" in notices[-1][1]

    run(scenario())


def test_a_message_with_a_photo_goes_with_it_even_where_documents_would_answer() -> None:
    class Documents:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def follow_up(self, text: str) -> bool:
            self.asked.append(text)
            return True

    async def scenario() -> None:
        store = Store(State(catalog=(TINY, E2B), model_id="e2b", ready=frozenset({"e2b"})))
        chat, documents = Chat(store, InferenceQueue(FakeEngineFactory()), FakePainter()), Documents()
        controls = ChatControls(
            FakePage(hash_="#/chat"), chat, FakeMediaStore(), lambda k, t: None, documents
        )
        await controls.attach({"name": "page.jpg", "type": "image/jpeg", "width": 40, "height": 30})
        controls.send({"message": "what is it?"})
        assert documents.asked == [] and store.state.messages[0].attachments
        await asyncio.gather(*chat.tasks)

    run(scenario())
