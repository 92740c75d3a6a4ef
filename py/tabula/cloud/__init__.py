"""The optional cloud engine: the Gemini API with the user's own key.

- `wire`    requests, the SSE stream parser, answers' text (thoughts dropped), errors people read
- `client`  cloud answers over the CloudClient port (cloud/ports.py; fetch in browser/http.py)
- `access`  the user's key, private mode, the cloud model, local quizzes: validated and saved
Private mode (the default until a key is added) is enforced by core.decide: nothing is sent.
May import: core (not State at run time), i18n.
"""

__all__ = ["access", "client", "ports", "wire"]
