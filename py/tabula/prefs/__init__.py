"""What the user chose, validated and kept on this device (the KeyValueStore port).

- `generation`  temperature, top-k, max tokens, seed, system prompt: validation and persistence
- `appearance`  language and theme
May import: core.ports, i18n.
"""

__all__ = ["appearance", "generation"]
