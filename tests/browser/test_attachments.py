"""A health worker photographs a medicine label and records a voice note in the chat (issue #25),
on one booted page with the tiny text-only model: a real PNG, WAV and bogus files made here go
through the browser's own decoders into IndexedDB "tabula-media" (the photo downscaled to at
most 1024 px, audio as 16 kHz mono WAV of at most 30 s; Record with Chromium's fake microphone),
the text-only model refuses the photo with the sentence naming a model that can, bad files get
one sentence and leave nothing stored, and a conversation with a photo comes in with an import
(the bytes embedded in the JSON), shows its thumbnail, survives a reload and leaves again in
the JSON export."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.chatting import open_chat
from tests.browser.conftest import Journey, wait_ready
from tests.browser.test_chat_files import export, import_text
from tests.browser.test_conversations import library
from tests.browser.test_tablet import ARTIFACTS, starter, touch_targets_too_small, violations

SLOW = 15_000  # ms: decoding, resampling and a reload's boot take longer on a busy 2-core machine
STORED = """() => new Promise((done) => {
  const open = indexedDB.open('tabula-media');
  open.onupgradeneeded = () => open.transaction.abort();  // not made yet: never make it here
  open.onerror = () => done([]);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('attachments')) { db.close(); return done([]); }
    const all = db.transaction('attachments').objectStore('attachments').getAll();
    all.onsuccess = async () => {
      db.close();
      done(await Promise.all(all.result.map(async (v) => {
        if (v.kind === 'image') {
          const b = await createImageBitmap(v.blob);
          return {kind: v.kind, mime: v.mime, width: b.width, height: b.height};
        }
        const head = new DataView(await v.blob.slice(0, 44).arrayBuffer());
        return {kind: v.kind, mime: v.mime, channels: head.getUint16(22, true), rate: head.getUint32(24, true),
                seconds: head.getUint32(40, true) / 2 / head.getUint32(24, true)};
      })));
    };
  };
})"""


def png(path: Path, width: int, height: int) -> Path:
    Image.new("RGB", (width, height), (200, 40, 40)).save(path, "PNG")
    return path


def wav(path: Path, seconds: float, rate: int = 44_100) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        frame = struct.pack("<hh", 1000, -1000)
        out.writeframes(frame * int(seconds * rate))
    return path


def alert(page: Page, text: str) -> None:
    """One sentence, shown (the next notice takes its place); a decode may be slow on a busy machine."""
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible(timeout=SLOW)


def test_photos_and_voice_notes_are_prepared_kept_refused_by_a_text_model_and_travel_with_the_chat(
    tiny_site: Path, serve, journey: Journey, tmp_path: Path
) -> None:
    page = journey.page
    journey.page.context.grant_permissions(["microphone"])
    open_chat(page, serve(tiny_site).url)  # the model loaded first: the steps below do not race it
    composer = page.locator("form.composer")

    # The empty chat's Read a photo needs a photo first.
    card = starter(page, "Read a photo")
    card.get_by_role("button", name="Read it").click()
    alert(page, "Add a photo first.")

    # Bad files: one sentence each, nothing stored.
    (tmp_path / "label.png").write_text("not a picture")
    (tmp_path / "notes.txt").write_text("hello")
    composer.locator('input[data-action="attach-photo"]').set_input_files(tmp_path / "label.png")
    alert(page, "label.png could not be read as a photo: it is damaged or not an image.")
    composer.locator('input[data-action="attach-audio"]').set_input_files(tmp_path / "notes.txt")
    alert(page, "notes.txt is not a photo or a sound file.")
    assert page.evaluate(STORED) == []

    # A 3000×2000 photo is downscaled to 1024×683 and shown as a thumbnail, removable.
    composer.locator('input[data-action="attach-photo"]').set_input_files(
        png(tmp_path / "medicine.png", 3000, 2000)
    )
    chip = composer.locator(".chip").filter(has_text="medicine.png (1024×683)")
    expect(chip.locator(".media.image img")).to_be_visible(
        timeout=20_000
    )  # a 6-megapixel decode, on a busy machine
    assert page.evaluate(STORED) == [{"kind": "image", "mime": "image/png", "width": 1024, "height": 683}]

    # The tiny model reads no photos: the message is not sent, the photo stays, the chat says who can.
    page.get_by_role("textbox", name="Message").fill("What is the dose?")
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert").filter(has_text="cannot read photos.")).to_contain_text(
        "such as Gemma 4 E2B"
    )
    expect(page.locator("article.msg.user")).to_have_count(0)
    expect(chip).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "attachments-refused.png")
    assert violations(page) == [] and touch_targets_too_small(page) == []
    chip.get_by_role("button", name="Remove medicine.png").click()
    expect(chip).to_have_count(0)
    page.wait_for_function(f"({STORED})().then(s => s.length === 0)")

    # A 40 s stereo 44.1 kHz sound file is kept as its first 30 s, 16 kHz mono WAV.
    composer.locator('input[data-action="attach-audio"]').set_input_files(wav(tmp_path / "talk.wav", 40))
    expect(
        page.get_by_role("status").filter(has_text="talk.wav is 40 s long: only its first 30 s")
    ).to_be_visible(timeout=SLOW)
    expect(composer.locator(".chip").filter(has_text="talk.wav (30.0 s)").locator("audio")).to_be_attached(
        timeout=SLOW
    )
    (clip,) = page.evaluate(STORED)
    assert clip == {"kind": "audio", "mime": "audio/wav", "channels": 1, "rate": 16_000, "seconds": 30}

    # One clip a message (Gemma 4 hears one): Record says so; with talk.wav removed it records
    # from the fake microphone with a visible timer and Stop, and keeps a 16 kHz mono WAV.
    composer.get_by_role("button", name="Record").click()
    alert(page, "A message takes one voice note or sound file: remove the one attached to add another.")
    composer.get_by_role("button", name="Remove talk.wav").click()
    composer.get_by_role("button", name="Record").click()
    expect(composer.get_by_role("timer")).to_contain_text("Recording 0:01 of 0:30", timeout=10_000)
    composer.get_by_role("button", name="Stop recording").click()
    recorded = composer.locator(".chip").filter(has_text="voice-note-")
    expect(recorded.locator("audio")).to_be_attached(timeout=SLOW)
    (voice,) = page.evaluate(STORED)
    assert voice["rate"] == 16_000 and voice["channels"] == 1 and 0.5 < voice["seconds"] <= 30

    # A conversation with a photo arrives in a JSON export (its bytes embedded): shown, kept over
    # a reload, and in the JSON export again.
    data = base64.b64encode(png(tmp_path / "form.png", 800, 600).read_bytes()).decode()
    attachment = {"id": "m1-photo", "kind": "image", "mime": "image/png", "name": "form.png", "size": 10,
                  "width": 800, "height": 600, "seconds": None, "data": data}  # fmt: skip
    message = {"id": 1, "role": "user", "text": "Read the form", "attachments": [attachment]}
    record = {
        "v": 1,
        "id": "c-photo",
        "title": "Clinic form",
        "created": 1.0,
        "updated": 2.0,
        "messages": [message],
    }
    import_text(
        page,
        tmp_path,
        "clinic.json",
        json.dumps({"format": "tabula.conversations", "version": 1, "conversations": [record]}),
    )
    library(page).get_by_role("button", name="Clinic form", exact=True).click()
    shown = page.locator("article.msg.user .media.image img")
    expect(shown).to_be_visible(timeout=SLOW)
    page.reload()
    wait_ready(page)
    expect(shown).to_be_visible(timeout=SLOW)
    assert shown.evaluate("img => img.naturalWidth") == 800
    page.screenshot(path=ARTIFACTS / "attachments-sent.png")
    assert violations(page) == []
    exported = json.loads(export(page, "current", "json"))
    (kept,) = exported["conversations"][0]["messages"][0]["attachments"]
    assert kept["data"] == data and kept["name"] == "form.png"
    assert base64.b64decode(kept["data"])[:8] == b"\x89PNG\r\n\x1a\n" and io.BytesIO(base64.b64decode(data))
