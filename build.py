"""The whole static-site build of Tabula, as one readable recipe.

`python build.py [--out DIR] [--base PATH] [--embed-model FILE ...] [--serve] [--port N]`

main() reads top to bottom: clean -> copy static -> vendor the pinned runtime from node_modules
-> pack py/tabula with the browser wheels -> config.json -> templates -> precache list + VERSION
-> sw.js -> size report. Output is deterministic: building twice gives identical bytes.
Any missing or wrong input stops the build with one line naming what and why (BuildError).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tomllib
from pathlib import Path

import jinja2

from site_models import DEFAULT_CHUNK, BuildError, check_models, embed_models, read_catalog, sha256
from site_policy import content_security_policy, model_hosts
from site_runtime import ensure_node_modules, fetch_wheel, pack_python, pinned_versions, vendor_runtime

ROOT = Path(__file__).resolve().parent
CLOUD_BASE = "https://generativelanguage.googleapis.com"
DEFAULT_CATALOG = ROOT / "pwa" / "catalog.json"
# Vendored runtimes too large to precache for everyone (Transformers.js and ONNX Runtime Web's
# wasm, about 27 MB, for the engine only a multimodal model needs): the service worker keeps them
# on their first use instead (sw.js ON_DEMAND), so that engine works offline from then on.
ON_DEMAND = ("transformers", "ort")


def main(argv: list[str] | None = None) -> int:
    """Build the site (and optionally serve it); return the process exit code."""
    args = parse_args(argv)
    try:
        out = build(
            args.out,
            base=args.base,
            models=args.embed_model,
            catalog=args.catalog,
            chunk=args.chunk_bytes,
            cloud_base=args.cloud_base,
            hosts=args.model_host,
        )
    except BuildError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 1
    if args.serve:
        from devserver import serve_forever

        serve_forever(out, port=args.port)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Build the Tabula static site.")
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="output folder")
    parser.add_argument("--base", default="", help="optional <base href> (default: relative)")
    parser.add_argument(
        "--embed-model",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="ship a .task model inside the site (repeatable)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=DEFAULT_CATALOG,
        metavar="FILE",
        help="the downloadable models (JSON list; default pwa/catalog.json; e.g. a school's mirror)",
    )
    parser.add_argument(
        "--chunk-bytes",
        type=int,
        default=DEFAULT_CHUNK,
        metavar="N",
        help="download/storage chunk size: at most this much is fetched again after a dropped connection",
    )
    parser.add_argument(
        "--cloud-base",
        default=CLOUD_BASE,
        metavar="URL",
        help="the Gemini API's address (a proxy, or a test server)",
    )
    parser.add_argument(
        "--model-host",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="another origin models may be downloaded from (a school's mirror); repeatable",
    )
    parser.add_argument("--serve", action="store_true", help="serve the site on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve")
    return parser.parse_args(argv)


def build(
    out: Path,
    *,
    base: str = "",
    models: list[Path] | None = None,
    catalog: Path = DEFAULT_CATALOG,
    chunk: int = DEFAULT_CHUNK,
    cloud_base: str = CLOUD_BASE,
    hosts: list[str] | None = None,
) -> Path:
    """Run the recipe into `out` and return it."""
    settings = read_settings()
    check_models(models or [])
    remote = read_catalog(catalog)
    if chunk < 65_536:
        raise BuildError("--chunk-bytes must be at least 65536")
    ensure_node_modules()
    versions = pinned_versions()
    out = out.resolve()
    clean(out)
    copy_static(out)
    paths = vendor_runtime(out, versions)
    pack_python(out / "tabula.zip", [fetch_wheel(spec) for spec in settings["browser-wheels"]])
    records = embed_models(out, models or []) + remote
    write_json(out / "pyscript.json", pyscript_config(paths))
    allowed = model_hosts(remote, hosts or [])
    render(out, "index.html", base=base, paths=paths, csp=content_security_policy(allowed, cloud_base))
    render(out, "manifest.webmanifest")
    config = {
        "catalog": records,
        "runtime": versions,
        "paths": paths,
        "chunk_bytes": chunk,
        "cloud": {"base": cloud_base},
        "model_hosts": allowed,
    }
    version = content_version(out, config)
    write_json(out / "config.json", {**config, "version": version})
    precache, on_demand = precache_list(out), on_demand_list(out, paths)
    render(out, "sw.js", version=version, precache=json.dumps(precache, indent=1, sort_keys=True),
           on_demand=json.dumps(on_demand, indent=1, sort_keys=True))  # fmt: skip
    size_report(out, precache, version)
    return out


def read_settings() -> dict:
    """The [tool.tabula] table of pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["tabula"]


def clean(out: Path) -> None:
    """Empty the output folder (refusing to delete anything that is not a build)."""
    if out.exists() and any(out.iterdir()) and not (out / "sw.js").exists():
        raise BuildError(f"--out {out} is not empty and is not a previous build; refusing to delete")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)


def copy_static(out: Path) -> None:
    """Copy CSS, icons and JS shims from pwa/."""
    for folder in ("css", "icons", "js"):
        shutil.copytree(ROOT / "pwa" / folder, out / folder, ignore=shutil.ignore_patterns("*.py"))


def pyscript_config(paths: dict[str, str]) -> dict:
    """PyScript's config: local Pyodide, our package zip (with the wheels in it), config.json."""
    return {
        "interpreter": f"./{paths['pyodide']}/pyodide.mjs",
        "files": {"./tabula.zip": "./*", "./config.json": "./config.json"},
    }


def templates() -> jinja2.Environment:
    """Jinja2 environment over pwa/ and service_worker/ that fails on undefined names."""
    loader = jinja2.FileSystemLoader([ROOT / "pwa", ROOT / "service_worker"])
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False)


def render(out: Path, name: str, **context: object) -> None:
    """Render `<name>.j2` into the output folder."""
    text = templates().get_template(f"{name}.j2").render(**context)
    (out / name).write_text(text if text.endswith("\n") else text + "\n")


def write_json(path: Path, data: object) -> None:
    """Write sorted, indented JSON."""
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def site_files(out: Path) -> list[Path]:
    """Every file the app is made of: all but models/ and sw.js itself."""
    files = [p for p in out.rglob("*") if p.is_file()]
    keep = [p for p in files if p.relative_to(out).parts[0] != "models" and p.name != "sw.js"]
    return sorted(keep, key=lambda p: p.relative_to(out).as_posix())


def on_demand_folders(out: Path) -> list[Path]:
    """The vendored folders kept on first use, not precached (ON_DEMAND)."""
    config = out / "config.json"
    paths = json.loads(config.read_text())["paths"] if config.is_file() else {}
    return [out / paths[key] for key in ON_DEMAND if key in paths]


def shell_files(out: Path) -> list[Path]:
    """Every file the service worker precaches: the site's files but the on-demand ones."""
    folders = on_demand_folders(out)
    return [p for p in site_files(out) if not any(p.is_relative_to(folder) for folder in folders)]


def on_demand_list(out: Path, paths: dict[str, str]) -> dict[str, str]:
    """{url relative to the site: sha256} of the files the service worker keeps on first use."""
    folders = [out / paths[key] for key in ON_DEMAND]
    files = [p for p in site_files(out) if any(p.is_relative_to(folder) for folder in folders)]
    return {p.relative_to(out).as_posix(): sha256(p) for p in files}


def content_version(out: Path, config: dict) -> str:
    """A short content hash of everything the app is made of (config.json included)."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for path in site_files(out):
        digest.update(f"{path.relative_to(out).as_posix()}:{sha256(path)}\n".encode())
    digest.update((ROOT / "service_worker" / "sw.js.j2").read_bytes())
    return digest.hexdigest()[:12]


def precache_list(out: Path) -> dict[str, str]:
    """{url relative to the site: sha256} for the shell."""
    return {p.relative_to(out).as_posix(): sha256(p) for p in shell_files(out)}


def size_report(out: Path, precache: dict[str, str], version: str) -> None:
    """Print the biggest files and the precache total."""
    sizes = {url: (out / url).stat().st_size for url in precache}
    print(f"Tabula {version}: {len(sizes)} precached files, {sum(sizes.values()) / 1e6:.1f} MB")
    for url, size in sorted(sizes.items(), key=lambda item: -item[1])[:6]:
        print(f"  {size / 1e6:8.2f} MB  {url}")
    models = sorted((out / "models").glob("*")) if (out / "models").exists() else []
    for model in models:
        files = [p for p in model.rglob("*") if p.is_file()] if model.is_dir() else [model]  # a set: a folder
        print(f"  {sum(p.stat().st_size for p in files) / 1e6:8.2f} MB  models/{model.name} (not precached)")
    print(f"-> {out}")


if __name__ == "__main__":
    sys.exit(main())
