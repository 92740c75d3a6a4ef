"""Transformers.js ships like the rest of the runtime (issue #25), pinned in package-lock.json and
copied into version-named folders, but kept by the service worker on first use instead of
precached (27 MB for an engine only a multimodal model needs); an ONNX model set is embedded as
a folder listing its files; the engine host loads nothing from a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import build
from site_models import BuildError
from tests.models.gemma4 import build as tiny_gemma4

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "pwa" / "js" / "engine_transformers.js"


def listed(site: Path, name: str) -> dict[str, str]:
    text = (site / "sw.js").read_text()
    start = text.index(f"const {name} = ") + len(f"const {name} = ")
    return json.loads(text[start : text.index(";\n", start)])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tjs")
    model = folder / "tiny-gemma4"
    model.symlink_to(tiny_gemma4.build(), target_is_directory=True)
    return build.build(folder / "site", models=[model])


def locked(name: str) -> str:
    return json.loads((ROOT / "package-lock.json").read_text())["packages"][f"node_modules/{name}"]["version"]


def test_transformers_and_ort_are_pinned_vendored_and_kept_on_first_use(site: Path) -> None:
    paths = json.loads((site / "config.json").read_text())["paths"]
    assert locked("@huggingface/transformers") == "4.3.2"
    assert paths["transformers"] == "vendor/transformers-4.3.2"
    assert paths["ort"] == f"vendor/onnxruntime-web-{locked('onnxruntime-web')}"
    on_demand, precache = listed(site, "ON_DEMAND"), listed(site, "PRECACHE")
    wanted = {
        f"{paths['transformers']}/dist/transformers.min.js", f"{paths['transformers']}/LICENSE",
        f"{paths['ort']}/ort-wasm-simd-threaded.asyncify.mjs", f"{paths['ort']}/ort-wasm-simd-threaded.asyncify.wasm",
    }  # fmt: skip
    assert set(on_demand) == wanted and not wanted & set(precache)
    assert "js/engine_transformers.js" in precache  # the host itself is small: precached
    for url, digest in on_demand.items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest) and (site / url).is_file()


def test_an_onnx_set_is_embedded_as_a_folder_with_its_files(site: Path) -> None:
    record = json.loads((site / "config.json").read_text())["catalog"][0]
    assert record["url"] == "./models/tiny-gemma4/" and record["format"] == "onnx"
    assert record["family"] == "gemma4" and record["inputs"] == ["image", "audio"]
    paths = {f["path"] for f in record["files"]}
    assert {"config.json", "tokenizer.json", "onnx/decoder_model_merged.onnx", "onnx/vision_encoder_q4.onnx_data"} <= paths
    assert record["bytes"] == sum(f["bytes"] for f in record["files"])
    assert all((site / "models" / "tiny-gemma4" / f["path"]).stat().st_size == f["bytes"] for f in record["files"])
    assert not [url for url in listed(site, "PRECACHE") if url.startswith("models/")]


def test_a_folder_that_is_not_a_model_set_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "config.json").write_text("{}")
    with pytest.raises(BuildError, match="not an ONNX model set"):
        build.build(tmp_path / "site", models=[tmp_path / "notes"])


def test_the_engine_host_names_no_cdn_and_points_ort_at_our_copy() -> None:
    source = WORKER.read_text()
    assert "http" not in re.sub(r"//.*", "", source)  # no address in its code
    assert "allowRemoteModels: false" in source and "wasmPaths" in source
    assert "useBrowserCache: false" in source  # the service worker keeps the runtime, not Transformers.js
