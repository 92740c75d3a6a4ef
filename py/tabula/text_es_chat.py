"""Spanish for the chat page and the conversation library (see tabula.i18n). Data only."""

CHAT: dict[str, str] = {}
