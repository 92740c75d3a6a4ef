"""UI text in English and Spanish from one catalogue: `translate.tr()` (gettext style, the English
text is the key). The Spanish lives in `es` (pages), `es_chat` (chat, conversations) and
`es_core` (errors, downloads, cloud, routing): internal, read only through `translate`.
Imports nothing else from Tabula, so every part may use it.
"""

__all__ = ["translate"]
