"""The document readers (issue #24) ship like the rest of the runtime: pdfjs-dist and mammoth
pinned in package-lock.json, copied into version-named folders, precached, loaded from the site
only (no CDN, no cMaps or font files fetched; the image decoders scanned pages are drawn with are
our copies) and allowed by the page's security policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build(tmp_path_factory.mktemp("docs") / "site")


def locked(name: str) -> str:
    return json.loads((ROOT / "package-lock.json").read_text())["packages"][f"node_modules/{name}"]["version"]


def test_readers_are_vendored_pinned_and_precached(site: Path) -> None:
    paths = json.loads((site / "config.json").read_text())["paths"]
    assert paths["pdfjs"] == f"vendor/pdfjs-{locked('pdfjs-dist')}"
    assert paths["mammoth"] == f"vendor/mammoth-{locked('mammoth')}"
    precache = set(re.findall(r'"([^"]+)": "[0-9a-f]{64}"', (site / "sw.js").read_text()))
    wanted = {
        f"{paths['pdfjs']}/legacy/build/pdf.min.mjs", f"{paths['pdfjs']}/legacy/build/pdf.worker.min.mjs",
        f"{paths['pdfjs']}/LICENSE", f"{paths['mammoth']}/mammoth.browser.min.js",
        f"{paths['mammoth']}/LICENSE", "js/doc_reader.js",
        f"{paths['pdfjs']}/wasm/openjpeg.wasm", f"{paths['pdfjs']}/wasm/jbig2.wasm",  # scans' decoders
    }  # fmt: skip
    assert wanted <= precache


def test_the_reader_names_no_cdn_and_sets_pdfjs_worker_to_our_copy() -> None:
    reader = (ROOT / "pwa/js/doc_reader.js").read_text()
    assert "GlobalWorkerOptions.workerSrc = `${folder}/legacy/build/pdf.worker.min.mjs`" in reader
    assert "wasmUrl: `${folder}/wasm/`" in reader  # scanned pages are drawn with our copies
    assert not re.search(r"https?://", reader)
    assert "cMapUrl" not in reader and "standardFontDataUrl" not in reader


def test_the_policy_lets_the_page_start_the_reader_workers(site: Path) -> None:
    policy = re.search(
        r'http-equiv="Content-Security-Policy" content="([^"]+)"', (site / "index.html").read_text()
    )
    assert policy is not None
    assert "worker-src 'self'" in policy.group(1) and "script-src 'self'" in policy.group(1)
