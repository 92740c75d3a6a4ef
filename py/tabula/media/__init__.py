"""Photos and voice notes in the chat (issue #25): what an attachment is, the limits and the
sentence for each bad file, what the composer holds before Send, and which model can take them.

- `attachments`  Attachment (a photo or an audio clip sent with a message) and its JSON record
- `checks`       the limits (20 MB a file, photos at most 1024 px a side, audio 16 kHz mono and
                 at most 30 s) and one sentence for each file refused
- `composing`    what the composer holds before Send (attachments, a recording, a refusal)
- `capability`   which models can see or hear, and what the chat says when the model in use cannot
- `ports`        MediaStore: the bytes, kept in IndexedDB ("tabula-media") by browser/media_store.py
The bytes never need Python: the JS shim (pwa/js/media.js) decodes, downscales, resamples and
stores them; the engine worker reads them by id.
May import: core (not State at run time), i18n, models (catalogue specs). Not chat: chat builds on it.
"""

__all__ = ["attachments", "capability", "checks", "composing", "ports"]
