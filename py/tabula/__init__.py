"""Tabula: Gemma on your own device. Python that runs in the browser (and under CPython for tests).

The tree is cut by capability; each package's docstring says what it owns and what it may import:

- `core/`     the app's State, Actions and reduce(), the hash router, where each feature runs, the
              task supervisor, the ports every part shares
- `engine/`   the on-device engine: the inference queue (its only caller), jobs, errors, prompts
- `models/`   the catalogue, file checks, device fit, downloads and imports, the model in use
- `cloud/`    the optional Gemini API engine: wire format, streaming, the user's key and choices
- `chat/`     messages, conversations and their library, export/import, files, use cases, Markdown
- `study/`    quizzes and mind maps: prompts, schema, validation, the tools that make them
- `prefs/`    the generation settings and the appearance (language, theme)
- `i18n/`     tr(): English and Spanish from one catalogue
- `ui/`       the App (paints State), the data-action handlers by feature, the views (State -> HTML)
- `browser/`  the ONLY door to JS: adapters that implement the ports over the browser's APIs
- `main.py`   the composition root: builds the adapters and wires everything

Layers (tests/unit/test_structure.py enforces them, and that no import cycle exists, lazy or not):
i18n imports nothing else; core imports i18n and only the domain values its State composes; the
domains (engine, models, cloud, chat, study, prefs) import core, i18n and each other's public
modules (each package's `__all__`), never ui, browser or main, and State only for type hints;
ui imports anything but browser and main; browser anything but ui and main; main everything.
"""
