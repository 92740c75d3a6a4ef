"""build.py: deterministic output, a precache that never holds models, clear errors."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

import build
import site_models
from tabula.models import format as modelformat

MAX_PRECACHED_FILE = 30 * 1024 * 1024


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def dummy_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in .task bundle: 4-byte web header + stored zip (the build sniffs the format)."""
    path = tmp_path_factory.mktemp("model") / "dummy.task"
    with path.open("wb") as raw:
        raw.write(bytes(4))
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("TF_LITE_PREFILL_DECODE", b"\0" * 1024)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, dummy_model: Path) -> Path:
    return build.build(tmp_path_factory.mktemp("a") / "site", models=[dummy_model])


def precache_of(site: Path) -> dict[str, str]:
    text = (site / "sw.js").read_text()
    start = text.index("const PRECACHE = ") + len("const PRECACHE = ")
    return json.loads(text[start : text.index(";\n", start)])


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path, dummy_model: Path) -> None:
    again = build.build(tmp_path / "site", models=[dummy_model])
    assert files(again) == files(site)


def test_precache_lists_every_shell_file_with_its_sha256_and_no_model(site: Path) -> None:
    precache = precache_of(site)
    assert "index.html" in precache and "tabula.zip" in precache
    assert not [url for url in precache if url.startswith("models/") or url.endswith(".task")]
    assert (site / "models" / "dummy.task").is_file()
    for url, digest in precache.items():
        assert build.sha256(site / url) == digest


def test_no_precached_file_over_30_mb(site: Path) -> None:
    sizes = {url: (site / url).stat().st_size for url in precache_of(site)}
    assert max(sizes.values()) < MAX_PRECACHED_FILE


def test_only_the_simd_genai_wasm_and_both_wllama_builds_are_vendored(site: Path) -> None:
    """wllama's main build and its compat build for Safari (no CDN: issue #23); ONNX Runtime
    Web's one build Transformers.js loads (issue #25); PDF.js's JPEG 2000 and JBIG2 decoders,
    for drawing scanned pages (issue #24)."""
    wasm = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.wasm"))
    version = json.loads((build.ROOT / "node_modules/@wllama/wllama/package.json").read_text())["version"]
    assert sorted(w.rsplit("/", 1)[-1] for w in wasm if "wllama" not in w) == [
        "genai_wasm_internal.wasm",
        "jbig2.wasm",
        "openjpeg.wasm",
        "ort-wasm-simd-threaded.asyncify.wasm",
        "pyodide.asm.wasm",
    ]
    assert [w for w in wasm if "wllama" in w] == [
        f"vendor/wllama-{version}/compat/wllama.wasm",
        f"vendor/wllama-{version}/wasm/wllama.wasm",
    ]


def test_wllama_is_precached_for_offline_use(site: Path) -> None:
    config = json.loads((site / "config.json").read_text())
    base = config["paths"]["wllama"]
    wanted = {f"{base}/index.js", f"{base}/wasm/wllama.wasm", f"{base}/compat/wllama.wasm", f"{base}/compat/wllama.js"}
    assert wanted <= set(precache_of(site))


def test_embedded_model_is_in_the_catalogue(site: Path, dummy_model: Path) -> None:
    config = json.loads((site / "config.json").read_text())
    record, *remote = config["catalog"]
    assert record["url"] == "./models/dummy.task" and record["source"] == "embedded"
    assert [r["source"] for r in remote] == ["catalogue"] * len(json.loads(build.DEFAULT_CATALOG.read_text()))
    assert record["sha256"] == build.sha256(dummy_model)
    assert config["version"] in (site / "sw.js").read_text()


def test_python_package_and_the_browser_wheels_are_packed(site: Path) -> None:
    names = zipfile.ZipFile(site / "tabula.zip").namelist()
    assert "tabula/main.py" in names and "tabula/browser/dom.py" in names
    assert "markdown_it/main.py" in names and "mdurl/__init__.py" in names
    assert "markdown_it_py-4.0.0.dist-info/licenses/LICENSE" in names  # their licences travel too
    assert not [n for n in names if n.endswith(".pyc")]
    assert names == sorted(names)


def test_pyscript_installs_nothing_at_boot(site: Path) -> None:
    config = json.loads((site / "pyscript.json").read_text())
    assert "packages" not in config and not (site / "wheels").exists()


def plain_zip(path: Path) -> Path:
    """A zip with no web header: MediaPipe 0.10.29 says 'No model format matched.'"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("TF_LITE_PREFILL_DECODE", b"x")
    return path


@pytest.mark.parametrize("head", [b"\x1c\0\0\0TFL3", b"\0\0\0\0PK\x03\x04", b"LITERTLM"])
def test_model_formats_mediapipe_accepts(head: bytes) -> None:
    assert modelformat.model_format(head) is not None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.task", "no such file"),
        (
            lambda tmp: (tmp / "bad.task").write_text("hello there") and tmp / "bad.task",
            "not a web LLM model",
        ),
        (lambda tmp: plain_zip(tmp / "plain.task"), "not a web LLM model"),
    ],
)
def test_bad_model_fails_with_one_clear_line(tmp_path: Path, capsys, make, message) -> None:
    code = build.main(["--out", str(tmp_path / "out"), "--embed-model", str(make(tmp_path))])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and message in err


def test_refuses_to_wipe_a_folder_that_is_not_a_build(tmp_path: Path, capsys) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    assert build.main(["--out", str(tmp_path)]) == 1
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    assert "refusing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("records", "complaint"),
    [
        ("{}", "expected a JSON list"),
        ('[{"id": "x"}]', "'label' must be a str"),
        (
            '[{"id": "Bad Id", "label": "l", "family": "gemma3", "url": "u", "bytes": 1, "sha256": ""}]',
            "id must be",
        ),
        (
            '[{"id": "x", "label": "l", "family": "llama", "url": "u", "bytes": 1, "sha256": ""}]',
            "family must be",
        ),
        ("not json", "--catalog"),
    ],
)
def test_a_bad_catalogue_stops_the_build_with_one_clear_line(
    tmp_path: Path, records: str, complaint: str
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(records)
    with pytest.raises(site_models.BuildError, match=re.escape(complaint)):
        site_models.read_catalog(path)


def test_idb_keyval_is_vendored_pinned_and_precached(site: Path) -> None:
    """The conversations' IndexedDB library ships from the site under its locked version."""
    lock = json.loads((build.ROOT / "package-lock.json").read_text())["packages"]
    version = lock["node_modules/idb-keyval"]["version"]
    path = json.loads((site / "config.json").read_text())["paths"]["keyval"]
    assert path == f"vendor/idb-keyval-{version}/index.js" and version == "6.3.0"
    assert "export { clear, createStore, del" in (site / path).read_text()
    precache = precache_of(site)
    assert path in precache and "js/chats.js" in precache
    assert f"vendor/idb-keyval-{version}/LICENCE" in precache
