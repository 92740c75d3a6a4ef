"""The conversation: messages, answering, the saved conversations, files and use cases.

- `messages`       Message and the statuses an answer ends in (pure values everyone builds on)
- `answering`      Chat: send, stop, cancel, regenerate, over the queue or the cloud; each answer's
                   lifecycle is an Answer (`lifecycle`, internal); a message's photos and audio
                   go to the engine that answers it (`multimodal`); a cloud answer streams, is
                   cut or goes on through `in_cloud`
- `conversations`  conversation records (versioned schema), titles, search
- `library`        the saved conversations: load, save as the chat changes, switch, undo
- `saving`         the library's writer: newest state wins, refused writes told and retried
- `archive`, `export`  a conversations file in (checked whole first) and out (JSON, Markdown);
                   internal: `files` is their public face
- `files`          the chat page's files and clipboard: export, import, copy a code block
- `usecases`       the empty chat's use cases: messages, parts of long texts, the tutor prompt
- `documents`      a document opened on the device (PDF pages, docx sections, text), its limits
                   and the sentence for each bad file (issue #24)
- `retrieval`      asking about a document: passages, the best that fit (BM25: `ranking`, with
                   `stopwords` per language), the message, and reading it back for the view
- `summarizing`    summaries of long documents, part by part then combined (map–reduce: the
                   plan is `mapreduce`, internal), with progress, Stop and the pages covered
- `scans`          scanned PDF pages read as pictures by a model that reads photos: who can,
                   the request each page goes with, and what is said
- `cadence`        how often a streaming answer is painted (by what a paint costs)
- `markdown`       Markdown -> safe HTML (the views and the streaming painter use it)
Ports (chat/ports.py): ChatStore (and its SaveFailed, StorageFull), StreamPainter, LocalFiles,
DocumentReader.
May import: core (not State at run time), i18n, engine, cloud, media, prefs (the answer's share).
"""

__all__ = [
    "answering",
    "cadence",
    "conversations",
    "documents",
    "files",
    "in_cloud",
    "library",
    "markdown",
    "messages",
    "multimodal",
    "ports",
    "retrieval",
    "scans",
    "summarizing",
    "usecases",
]
