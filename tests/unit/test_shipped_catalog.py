"""The catalogue that ships (pwa/catalog.json): every record proven by an exact size and SHA-256
from the Hub's LFS records, at a pinned revision, with its true licence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import site_models
from tabula.models.hub import hub_file

SHIPPED = Path(__file__).resolve().parents[2] / "pwa" / "catalog.json"
# Read from the Hub's LFS records on 2026-09-10 (issue 14): file -> (repo, revision, bytes, sha256).
KNOWN = {
    "gemma-4-E2B-it-web.task": (
        "litert-community/gemma-4-E2B-it-litert-lm", "b3ca0d2f", 2003697664,
        "2cbff161177a4d51c9d04360016185976f504517ba5758cd10c1564e5421c5a5",
    ),
    "gemma-4-E4B-it-web.task": (
        "litert-community/gemma-4-E4B-it-litert-lm", "2eee7ac3", 2964324352,
        "f3bd72fc27627be2a2cc6722199a333599590ed0962ee7047b516a506b7bf086",
    ),
    "gemma3-1b-it-int4-web.task": (
        "litert-community/Gemma3-1B-IT", "a6306a4e", 700383232,
        "74f37adc3f94af1eaa0be70875b10060b2a2e45d533bfb7d5e2c08d3e4050cfe",
    ),
    "gemma3-270m-it-q4_0-web.task": (
        "litert-community/gemma-3-270m-it", "9d209327", 249233408,
        "a642cc7b183373dbcb186b1d94bf7ac9c0cfff6a2e73a5837ba2ffcffa4ac1ac",
    ),
    # The CPU engine's GGUF builds (issue 16), from llama.cpp's own organisation; each size and
    # LFS sha256 agreed in two or more independent public records of that file at that revision.
    "gemma-3-270m-it-Q8_0.gguf": (
        "ggml-org/gemma-3-270m-it-GGUF", "e7647be17ae1108f2f605ed061ca0608b171afff", 291545600,
        "0ef57d2c838458a1952664260dcba38e5bdda37494f3af732f06e4add24068e3",
    ),
    "gemma-3-1b-it-Q4_K_M.gguf": (
        "ggml-org/gemma-3-1b-it-GGUF", "f9c28bcd85737ffc5aef028638d3341d49869c27", 806058240,
        "8ccc5cd1f1b3602548715ae25a66ed73fd5dc68a210412eea643eb20eb75a135",
    ),
}  # fmt: skip


def shipped() -> list[dict]:
    return site_models.read_catalog(SHIPPED)


def test_every_shipped_model_has_its_exact_size_and_sha256_at_a_pinned_revision() -> None:
    found = {}
    for record in shipped():
        if "files" in record:
            continue  # a model made of several files: the test below
        source = hub_file(record["url"])
        assert source is not None and source.origin == "https://huggingface.co", record["url"]
        found[source.path] = (source.repo, source.revision, record["bytes"], record["sha256"])
    assert found == KNOWN


# Gemma 4 E2B for Transformers.js (issue 25), q4f16: every file Transformers.js loads, at the
# pinned revision. The sizes of the four .onnx_data files and tokenizer.json are the (from
# the Hub's listing) and the total is its 3,401,448,652 bytes; each sha256 is the LFS oid recorded
# by two public projects that pin this revision (the small JSON files agree in both). The app also
# asks the Hub for every file's facts before the first byte and refuses a disagreement.
E2B_ONNX = ("onnx-community/gemma-4-E2B-it-ONNX", "9f4bef82ea6e296bc69f8a2f5939f73af81b07a6")
E2B_SIZES = {
    "onnx/embed_tokens_q4f16.onnx_data": 1_590_689_792, "onnx/decoder_model_merged_q4f16.onnx_data": 1_519_700_992,
    "onnx/vision_encoder_q4f16.onnx_data": 99_189_440, "onnx/audio_encoder_q4f16.onnx_data": 171_258_112,
    "tokenizer.json": 19_439_251,
}  # fmt: skip
E2B_SESSIONS = ("embed_tokens", "decoder_model_merged", "vision_encoder", "audio_encoder")


def test_gemma_4_e2b_for_transformers_js_is_one_set_of_pinned_files() -> None:
    (e2b,) = [r for r in shipped() if "files" in r]
    assert (e2b["format"], e2b["family"], e2b["inputs"]) == ("onnx", "gemma4", ["image", "audio"])
    paths = {f["path"]: f for f in e2b["files"]}
    for path, file in paths.items():
        source = hub_file(f"{e2b['url']}/{path}")
        assert source is not None and source.origin == "https://huggingface.co", path
        assert (source.repo, source.revision, source.path) == (*E2B_ONNX, path)
        assert len(file["sha256"]) == 64 and file["bytes"] > 0, path
    assert {p: paths[p]["bytes"] for p in E2B_SIZES} == E2B_SIZES
    assert e2b["bytes"] == sum(f["bytes"] for f in e2b["files"]) == 3_401_448_652
    needed = {f"onnx/{s}_q4f16.onnx{x}" for s in E2B_SESSIONS for x in ("", "_data")}
    configs = ("config.json", "generation_config.json", "preprocessor_config.json", "processor_config.json")
    assert set(paths) == needed | {*configs, "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"}


def test_gemma_4_is_apache_and_gemma_3_says_whether_it_is_gated() -> None:
    """litert-community's Gemma 3 repositories are gated; ggml-org's GGUF builds are not."""
    for record in shipped():
        if record["family"] == "gemma4":
            assert record["licence"].startswith("Apache-2.0"), record
        elif "/ggml-org/" in record["url"]:
            assert record["licence"] == "Gemma Terms of Use (ai.google.dev/gemma/terms); not gated", record
        else:
            assert "Gemma Terms of Use" in record["licence"] and "sign in" in record["licence"], record


def test_ids_changed_with_the_file_so_no_old_partial_download_is_resumed_into_it() -> None:
    """The 270M record names the q4_0 file now; a q8 partial under the old id must not be spliced."""
    ids = {record["id"] for record in shipped()}
    assert "gemma-3-270m-it-web" not in ids and "gemma-3-270m-it-q4-0-web" in ids


def record(**changes: object) -> dict:
    base = {"id": "m", "label": "M", "family": "gemma3", "bytes": 10, "sha256": ""}
    return {**base, **changes}


@pytest.mark.parametrize(
    "url",
    [
        "https://mirror.school.example/models/gemma3-1b-it-int4-web.task",
        "https://huggingface.co/litert-community/Gemma3-1B-IT/tree/main",
    ],
)
def test_a_record_with_no_hash_and_no_hub_to_ask_stops_the_build(tmp_path: Path, url: str) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([record(url=url)]))
    with pytest.raises(site_models.BuildError) as raised:
        site_models.read_catalog(path)
    assert str(raised.value) == (
        f"--catalog {path}: m: no sha256, and its url is not a Hugging Face file "
        "(…/<owner>/<repo>/resolve/<revision>/<file>) whose hash the app can ask for"
    )


def test_a_bad_sha256_stops_the_build(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([record(url="https://m.example/a.task", sha256="abc")]))
    with pytest.raises(site_models.BuildError, match="sha256 must be 64 hex digits"):
        site_models.read_catalog(path)


def test_a_hub_record_without_a_hash_is_kept_and_a_blob_address_becomes_resolve(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    page = "https://huggingface.co/litert-community/Gemma3-1B-IT/blob/main/gemma3-1b-it-int4-web.task"
    path.write_text(json.dumps([record(url=page)]))
    (kept,) = site_models.read_catalog(path)
    assert kept["url"] == page.replace("/blob/", "/resolve/")
    assert kept["sha256"] == ""
