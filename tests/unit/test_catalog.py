"""The catalogue's pure functions: custom() validation, slug, guess_family, merge, pin, JSON."""

from __future__ import annotations

import json
import re

import pytest

from tabula.models.catalog import (
    CatalogError,
    ModelSpec,
    custom,
    from_records,
    guess_family,
    imported,
    merge,
    pin,
    slug,
    to_json,
)


def spec(model_id: str, source: str = "catalogue", label: str = "") -> ModelSpec:
    return ModelSpec(
        model_id, label or model_id, "gemma3", f"https://h.example/{model_id}.task", 10, "", source
    )


@pytest.mark.parametrize(
    ("url", "expected_id", "family"),
    [
        (
            "https://huggingface.co/org/repo/resolve/main/gemma3-1b-it-int4-web.task",
            "custom-gemma3-1b-it-int4-web",
            "gemma3",
        ),
        ("  https://host.example/m/Gemma-4-E2B.task?download=1  ", "custom-gemma-4-e2b", "gemma4"),
        ("https://host.example/m/gemma4_e4b.litertlm", "custom-gemma4-e4b", "gemma4"),
        ("http://127.0.0.1:8000/models/tiny.task", "custom-tiny", "gemma3"),
        ("http://localhost/tiny.bin", "custom-tiny", "gemma3"),
    ],
)
def test_custom_accepts_https_and_local_http(url: str, expected_id: str, family: str) -> None:
    model = custom(url)
    assert (model.id, model.family, model.source) == (expected_id, family, "custom")
    assert model.url == url.strip() and model.downloadable
    assert (model.bytes, model.sha256) == (0, "")  # unknown until the first verified copy
    assert model.label == expected_id.removeprefix("custom-")


def test_custom_label_is_trimmed_and_kept() -> None:
    assert custom("https://h.example/a.task", "  My model ").label == "My model"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address"),
        ("   ", "Enter the address"),
        ("javascript:alert(1)", "Use a full https://"),
        ("JavaScript://h.example/x.task", "Use a full https://"),
        ("ftp://h.example/model.task", "Use a full https://"),
        ("http://h.example/model.task", "Use a full https://"),  # plain http only for this computer
        ("http://localhost.evil.example/model.task", "Use a full https://"),
        ("http://127.0.0.1.evil.example/m.task", "Use a full https://"),
        ("https://h.example", "Use a full https://"),  # no file
        ("https://h.example/", "Use a full https://"),
        ("https://h example/m.task", "Use a full https://"),
        ("data:application/octet-stream;base64,AAAA", "Use a full https://"),
        ("/models/m.task", "Use a full https://"),
    ],
)
def test_custom_refuses_addresses_that_cannot_work(url: str, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        custom(url)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gemma3-1b-it-int4-web.task", "gemma3-1b-it-int4-web"),
        ("https://h.example/a/b/Gemma 3 (1B).TASK?x=1", "gemma-3-1b"),
        ("model.litertlm", "model"),
        ("weights.bin", "weights"),
        ("notes.txt", "notes-txt"),
        ("???.task", "model"),
        ("", "model"),
        ("x" * 80 + ".task", "x" * 48),
    ],
)
def test_slug_is_safe_and_stable(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gemma-4-E2B-it.litertlm", "gemma4"),
        ("Gemma4-e4b.task", "gemma4"),
        ("GEMMA-4", "gemma4"),
        ("gemma3-1b-it-int4-web.task", "gemma3"),
        ("gemma-3n.task", "gemma3"),
        ("something-else.task", "gemma3"),
    ],
)
def test_guess_family(name: str, family: str) -> None:
    assert guess_family(name) == family


def test_imported_has_no_url_and_its_size() -> None:
    model = imported("Gemma-4-E2B.task", 1234)
    assert (model.id, model.label, model.family) == ("file-gemma-4-e2b", "Gemma-4-E2B.task", "gemma4")
    assert (model.url, model.bytes, model.sha256, model.source) == ("", 1234, "", "imported")
    assert not model.downloadable


def test_merge_keeps_the_build_first_and_drops_duplicate_ids() -> None:
    built = (spec("a"), spec("b"))
    added = (spec("c", "custom"), spec("a", "custom", "device's a"), spec("d", "imported"))
    merged = merge(built, added)
    assert [m.id for m in merged] == ["a", "b", "c", "d"]
    assert merged[0] is built[0] and merged[0].label == "a"  # the build wins
    assert merge(built, ()) == built and merge((), added) == added


def test_pin_sets_exact_size_and_checksum_only() -> None:
    before = spec("a")
    after = pin(before, "f" * 64, 999)
    assert (after.sha256, after.bytes) == ("f" * 64, 999)
    assert (after.id, after.url, after.label, after.source) == (
        before.id,
        before.url,
        before.label,
        before.source,
    )


def test_records_round_trip_and_ignore_unknown_keys() -> None:
    specs = (spec("a"), ModelSpec("b", "B", "gemma4", "", 5, "ab", "imported", 4096, "Gemma", "8 GB"))
    records = json.loads(to_json(specs))
    assert from_records(records) == specs
    records[0]["added_by_a_newer_build"] = True
    assert from_records(records)[0] == specs[0]


def test_a_hugging_face_page_address_becomes_its_download_address() -> None:
    page = "https://huggingface.co/litert-community/Gemma3-1B-IT/blob/main/gemma3-1b-it-int4-web.task"
    model = custom(page)
    assert model.url == page.replace("/blob/", "/resolve/")
    assert model.id == "custom-gemma3-1b-it-int4-web"


def test_a_gguf_file_runs_on_the_cpu_engine_and_everything_else_on_the_gpu():
    gguf = ModelSpec(
        "g", "G", "gemma3", "https://x.org/m/gemma-3-270m-it-Q4_K_M.gguf?download=1", 1, "", "catalogue"
    )
    task = ModelSpec("t", "T", "gemma3", "https://x.org/m/gemma3-1b-it-int4-web.task", 1, "", "catalogue")
    dropped = ModelSpec("f", "phone-copy.GGUF", "gemma3", "", 1, "", "imported")
    assert (gguf.runtime, task.runtime, dropped.runtime) == ("cpu", "gpu", "cpu")
