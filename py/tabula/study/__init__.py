"""Study tools: quizzes and mind maps.

- `structured`  their prompts, the quiz's JSON schema, strict and forgiving parsing of an answer
- `result`      Study, the last result as the State holds it
- `tools`       StudyTools: ask the engine core.decide chose, validate, retry once, report
May import: core (not State at run time), i18n, engine, cloud.
"""

__all__ = ["result", "structured", "tools"]
