"""Adapters to the browser: the ONLY package that imports js, pyodide or pyscript (ruff's
banned-API rule and tests/unit/test_boundary.py enforce it).

Each module implements a port over one browser API and a thin JS shim in pwa/js/:
`engine_host` (the Engine over an engine host: a worker per engine, engine_port.js; `protocol`
types its messages), `mediapipe` (Engine on WebGPU, its worker engine_mediapipe.js, and the
WebGPU probe), `wllama` (Engine on the CPU, engine_wllama.js), `transformers` (Engine for ONNX model
sets: photos and voice notes, engine_transformers.js), `opfs` (ModelStore, model_bytes.js), `http` (CloudClient, fetch),
`indexeddb` (ChatStore, idb-keyval, chats.js), `local_storage` (KeyValueStore), `dom` (Page), `sw` (Updates),
`painter` (StreamPainter), `local_files` (LocalFiles), `media_store` (MediaStore: photos and audio, media.js), `rich` (DOMPurify, highlight.js, the
clipboard), `probe` (the device report), `diagnostics` (leak counters), `windows` (the engine's Web Lock and
the BroadcastChannel between windows). `_js` holds their shared
helpers and is private to this package.
May import: core, i18n and the domains; never ui or main.
"""

__all__ = [
    "diagnostics",
    "dom",
    "engine_host",
    "http",
    "indexeddb",
    "local_files",
    "local_storage",
    "media_store",
    "mediapipe",
    "opfs",
    "painter",
    "probe",
    "protocol",
    "rich",
    "sw",
    "transformers",
    "windows",
    "wllama",
]  # fmt: skip
