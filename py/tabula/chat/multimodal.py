"""A message's photos and audio clips on their way to an answer (issue #25). Pure over the
media store port.

The answer to a message with attachments is given them: the device engine gets the asked
message's attachments (their ids; it reads the bytes from IndexedDB itself), the cloud engine
gets every user turn's attachments as inline data (base64), under the same privacy rules as
text (the cloud is used only when core/decide.py chooses it). Where neither can take them, the
answer fails with the sentence media/capability.py writes: an attachment is never dropped.
May import: media, and chat.messages.
"""

from __future__ import annotations

from collections.abc import Sequence

from tabula.chat.messages import Message
from tabula.media.attachments import Attachment
from tabula.media.ports import MediaStore


def asked(messages: Sequence[Message], answer_id: int) -> tuple[Attachment, ...]:
    """The attachments of the user message that answer `answer_id` answers (the last before it)."""
    question = next((m for m in reversed(messages) if m.id < answer_id and m.role == "user"), None)
    return question.attachments if question is not None else ()


async def cloud_turns(
    turns: Sequence[tuple[str, str, tuple[Attachment, ...]]], media: MediaStore | None
) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(role, text, ((mime, base64), ...)) for the cloud request: each turn's attachments read
    from the media store (one that is gone is left out: its message says so on the page)."""
    found = []
    for role, text, attachments in turns:
        inline = []
        for attachment in attachments if media is not None else ():
            stored = await media.read(attachment.id)
            if stored is not None:
                inline.append(stored)
        found.append((role, text, tuple(inline)))
    return found
