"""The on-device engine, behind the Engine port (engine/ports.py; MediaPipe in browser/mediapipe.py).

The InferenceQueue is the only caller of the engine: MediaPipe's LlmInference refuses a second
call while busy, so every call (generate, count tokens, configure, load) is one op in a FIFO with
cancel, a watchdog and a forced reset. Also: chat templates per model family and context
trimming (prompt), typed errors with the sentence people read (errors), loading that learns a
model's token limit (loading), the backend and precision an ONNX model set runs in (backend).
`jobs` is the queue's own records (Job is public through queue).
May import: core (not State at run time), i18n, prefs.
"""

__all__ = ["backend", "errors", "loading", "ports", "prompt", "queue"]
