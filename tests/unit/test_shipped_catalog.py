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
        source = hub_file(record["url"])
        assert source is not None and source.origin == "https://huggingface.co", record["url"]
        found[source.path] = (source.repo, source.revision, record["bytes"], record["sha256"])
    assert found == KNOWN


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
