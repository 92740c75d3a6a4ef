"""The Transformers.js engine's pure parts (issue #25): the backend and precision chosen for a
model set, Gemma 4's photo and audio placeholders in the prompt, the attachments on the wire,
the factory running an ONNX set on it, its errors, and the tiny set's tensor contract."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import onnx
import pytest

from tabula.browser.protocol import Generate, media_refs, wire
from tabula.core.actions import Store
from tabula.core.state import State
from tabula.engine.backend import Backend, choose, precisions
from tabula.engine.errors import EngineError, Problem, classify
from tabula.engine.prompt import Turn, placeholders, render, template_for, turn
from tabula.models.catalog import ModelFile, ModelSpec
from tabula.models.format import set_format
from tabula.models.selection import engine_factory
from tests.aio import run
from tests.fakes import FakeCreateEngine, FakeKeyValueStore
from tests.models.gemma4 import build as tiny_gemma4
from tests.models.gemma4.contract import compare, differences

SESSIONS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")


def files(*suffixes: str) -> list[str]:
    return ["config.json", "tokenizer.json"] + [f"onnx/{s}{x}.onnx" for s in SESSIONS for x in suffixes]


@dataclass(frozen=True)
class Shot:
    """An attachment as media.attachments.Attachment looks to the engine: an id and a kind."""

    id: str
    kind: str


@dataclass(frozen=True)
class Said:
    role: str
    text: str


@pytest.mark.parametrize(
    ("webgpu", "f16", "software", "held", "wanted"),
    [
        (True, True, False, ("_q4f16", "_q4", ""), Backend("webgpu", "q4f16")),
        (True, False, False, ("_q4f16", "_q4", ""), Backend("webgpu", "q4")),  # no shader-f16: no q4f16
        (True, False, False, ("_q4f16",), Backend("wasm", "q4f16")),  # only fp16 maths held: wasm runs it
        (True, True, True, ("_q4f16", "_q4"), Backend("wasm", "q4")),  # SwiftShader: the CPU is faster
        (False, False, False, ("", "_q4"), Backend("wasm", "q4")),
        (False, False, False, ("",), Backend("wasm", "fp32")),
    ],
)
def test_the_backend_follows_the_adapter_and_the_sets_files(webgpu, f16, software, held, wanted) -> None:
    assert choose(webgpu, f16, software, files(*held)) == wanted


def test_a_precision_counts_only_when_every_session_has_it() -> None:
    partial = [*files(""), "onnx/decoder_model_merged_q4.onnx"]
    assert precisions(partial) == {"fp32"}
    text_only = ["config.json", "onnx/embed_tokens_q4.onnx", "onnx/decoder_model_merged_q4.onnx"]
    assert precisions(text_only) == {"q4"}
    assert choose(False, False, False, []) == Backend("wasm", "fp32")  # files unknown


def test_a_set_is_onnx_only_with_its_config_tokenizer_and_a_session() -> None:
    assert set_format(files("")) == "onnx"
    assert set_format(["config.json", "onnx/decoder_model_merged.onnx"]) is None
    assert set_format(["config.json", "tokenizer.json", "model.onnx"]) is None


def test_the_asked_messages_photo_and_clip_stand_before_its_text_in_gemma4() -> None:
    turns = [
        Turn("user", "first", (Shot("a", "image"),)),  # an earlier photo is not sent again
        Turn("model", "answer"),
        Turn("user", "What is this?", (Shot("b", "image"), Shot("c", "audio"))),
    ]
    prompt = render(template_for("gemma4"), "", turns)
    assert prompt == (
        "<|turn>user\nfirst<turn|>\n<|turn>model\nanswer<turn|>\n"
        "<|turn>user\n<|image|><|audio|>What is this?<turn|>\n<|turn>model\n"
    )


def test_a_typed_placeholder_stays_text_and_text_only_families_get_none() -> None:
    typed = render(template_for("gemma4"), "", [Turn("user", "<|image|> fake")])
    assert typed.count("<|image|>") == 0 and "<\u200d|image|>" in typed
    gemma3 = render(template_for("gemma3"), "", [Turn("user", "x", (Shot("a", "image"),))])
    assert "image" not in gemma3
    assert placeholders(template_for("gemma4"), [Shot("v", "video")]) == ""


def test_a_turn_reads_a_messages_attachments_where_it_has_them() -> None:
    assert turn(Said("user", "hi")) == Turn("user", "hi")
    shots = (Shot("a", "image"),)
    message = type("WithShots", (), {"role": "user", "text": "hi", "attachments": shots})()
    assert turn(message) == Turn("user", "hi", shots)


def test_attachments_go_on_the_wire_as_ids_and_kinds() -> None:
    refs = media_refs((Shot("a", "image"), {"id": "b", "kind": "audio"}))
    assert refs == [{"id": "a", "kind": "image"}, {"id": "b", "kind": "audio"}]
    assert wire(Generate("p", {"nPredict": 4}, refs)) == {
        "type": "generate", "prompt": "p", "options": {"nPredict": 4}, "media": refs,
    }  # fmt: skip
    assert wire(Generate("p"))["media"] == []  # text-only hosts get an empty list


def test_the_factory_runs_an_onnx_set_on_transformers_with_its_file_paths() -> None:
    """An ONNX model set goes to the Transformers.js engine (never MediaPipe), with its files'
    paths, from which the backend is chosen; no such engine wired: an error, not MediaPipe."""
    model = ModelSpec(
        "tiny-g4", "Tiny G4", "gemma4", "./models/tiny-g4/", 10, "", "embedded",
        files=(ModelFile("config.json", 4), ModelFile("onnx/embed_tokens.onnx", 6)), format="onnx",
    )  # fmt: skip
    calls: list[tuple] = []

    async def onnx(url: str, stored: str, label: str, options: dict, paths: tuple[str, ...]):
        calls.append((url, stored, label, paths))
        return await FakeCreateEngine()(url, stored, label, options)

    async def scenario() -> None:
        gpu, store = FakeCreateEngine(), Store(State(catalog=(model,), model_id=model.id))
        engine = await engine_factory(store, FakeKeyValueStore(), gpu, None, onnx)()
        assert calls == [("./models/tiny-g4/", "", "Tiny G4", ("config.json", "onnx/embed_tokens.onnx"))]
        assert gpu.calls == [] and engine.family == "gemma4"
        with pytest.raises(EngineError) as refused:
            await engine_factory(store, FakeKeyValueStore(), gpu)()
        assert "no Transformers.js engine" in refused.value.detail
        assert gpu.calls == []

    run(scenario())


@pytest.mark.parametrize(
    ("detail", "problem"),
    [
        ("Could not locate file: /models/x/onnx/embed_tokens_q4.onnx", Problem.INVALID_MODEL),
        ("Can't create a session. ERROR_CODE: 7, Protobuf parsing failed.", Problem.INVALID_MODEL),
        ("std::bad_alloc", Problem.MEMORY_TOO_SMALL),
        ("input is too long: 300 tokens", Problem.PROMPT_TOO_LONG),
        ("attachment m1 not found", Problem.UNKNOWN),
    ],
)
def test_transformers_errors_get_the_right_sentence(detail: str, problem: Problem) -> None:
    assert classify(detail).problem is problem


@pytest.fixture(scope="module")
def tiny_set() -> Path:
    return tiny_gemma4.build()


def test_the_tiny_set_holds_its_own_contract_in_every_precision(tiny_set: Path) -> None:
    """Our q4 files declare what our fp32 ones do (the check the real set is held to)."""
    assert compare(tiny_set, tiny_set, "q4") == []
    assert compare(tiny_set, tiny_set, "fp32", exact=True) == []


def test_the_contract_check_names_a_renamed_tensor_a_dtype_and_a_missing_session(
    tiny_set: Path, tmp_path: Path
) -> None:
    """A 'real' set that differs: an input renamed, an output's dtype changed, fewer layers
    (not a difference) and a session missing are each reported, or not, as they should be."""
    real = tmp_path / "real" / "onnx"
    real.mkdir(parents=True)
    model = onnx.load(str(tiny_set / "onnx" / "decoder_model_merged.onnx"), load_external_data=False)
    model.graph.input[3].name = "positions"  # position_ids renamed
    model.graph.output[0].type.tensor_type.elem_type = onnx.TensorProto.INT32  # logits
    for kept in (model.graph.input, model.graph.output):  # one layer of KV cache fewer
        for value in [v for v in kept if ".1." in v.name]:
            kept.remove(value)
    onnx.save(model, str(real / "decoder_model_merged_q4f16.onnx"))
    found = differences(tiny_set / "onnx" / "decoder_model_merged.onnx", real / "decoder_model_merged_q4f16.onnx")
    assert any("position_ids only in ours" in p for p in found) and any("positions only in the real" in p for p in found)
    assert any("logits: FLOAT in ours, INT32" in p for p in found)
    assert not any("past_key_values" in p or "present" in p for p in found)
    assert "embed_tokens_q4f16.onnx: missing from the real set" in compare(tiny_set, real.parent, "q4f16")
