"""The tiny Gemma-4-shaped ONNX test model for the Transformers.js engine (issue #25).

A random-weight model in exactly the file layout and tensor contract Transformers.js 4.3.2's
`Gemma4ForConditionalGeneration` loads (four ONNX sessions, config, processor and tokenizer
files), built in about a second with numpy + onnx + tokenizers (the pyproject `test` group; no
torch). Adapted from the recipe in ../shared/recipes/tiny-gemma4/. Its maths is simplified (no
rotary positions, mean-pooled vision, stride-4 audio), so it tests loading and data flow, not
Gemma's numerics. `contract.py` holds its tensor names and dtypes against a real model's graphs.
Kept apart from tests/models/*.py on purpose: build_models.py's cache key hashes those, and a
change here must not rebuild the .task models.
"""
