"""Raw engine messages (as MediaPipe 0.10.29 words them) become typed errors people can read."""

from __future__ import annotations

import pytest

from tabula.engine.errors import Problem, classify

SEEN = [
    ("OUT_OF_RANGE: Input is too long for the model to process: 300 > 256", Problem.PROMPT_TOO_LONG),
    (
        "Failed to create engine: INVALID_ARGUMENT: Max number of tokens is larger than the maximum "
        "cache size supported: 1024 > 256",
        Problem.CONTEXT_TOO_LARGE,
    ),
    ("Cannot process because LLM inference engine is currently loading or processing.", Problem.BUSY),
    ("Previous invocation or loading is still ongoing.", Problem.BUSY),
    ("WebGPU is not supported in this browser", Problem.NO_WEBGPU),
    ("Requested buffer size (3000000000) exceeds the max buffer size limit", Problem.DEVICE_TOO_SMALL),
    ("Error: No model format matched.", Problem.INVALID_MODEL),
    ("Unable to open zip archive.", Problem.INVALID_MODEL),
    ("something nobody has seen", Problem.UNKNOWN),
]


@pytest.mark.parametrize(("detail", "problem"), SEEN)
def test_classify(detail: str, problem: Problem) -> None:
    error = classify(detail)
    assert error.problem is problem and error.detail == detail
    assert error.message and "Error" not in error.message  # a sentence for people, not a trace


def test_an_unreadable_onnx_set_is_not_told_it_should_be_a_task_or_gguf() -> None:
    """The Transformers.js engine reports a damaged set with the same Problem: its sentence names
    every kind of model the app runs, ONNX sets too."""
    said = classify("failed to load model: protobuf parsing failed", Problem.INVALID_MODEL).message
    assert "ONNX" in said and ".task" in said and "GGUF" in said
