"""Long-chat benchmark in Chromium: a 200-message conversation (2 KB answers with code blocks)
and a 16 KB answer streaming into it from the cloud engine (the fake Gemini server, so the
stream is the same every run and no model is needed), this tree's app vs another tree's.

Reports, per side (medians over the runs):
- per-change main-thread time: a state change that leaves every message as it was (the
  connectivity events, dispatched synchronously: Python's handler and its paint are inside);
- per-paint time while the answer streams: animation-frame callbacks in which the answer's text
  changed (Python's pull, render and the DOM update);
- long tasks (PerformanceObserver 'longtask') while it streams: how many, the longest;
- input delay while it streams: keys typed into the composer, event time to the next frame.

With `--engine local` the answer comes from the on-device engine instead: the tiny test model is
embedded and answers at its own speed (about 400 tokens a second on the lent H200), so the
main thread is measured while a local engine streams into the 200-message chat (issue #22);
the conversation's first messages are left out of its prompt to fit the model's 256 tokens.

Run: .venv/bin/python bench/longchat.py [--runs 3] [--before REV] [--engine cloud|local]   (saves bench/out/longchat[-local].json;
--before builds the app at git revision REV too, from `git archive`, for the before column).
Elsewhere (the lent GPU machine, bench/gpu.md): `--build-only DIR [--before REV]` here writes the
sites, the chat and the streamed answer into DIR (the fake Gemini server's port fixed at build);
`--site DIR` there needs only Playwright, the stdlib, DIR and this repo's bench/ and tests/ files.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import ROOT, launch, machine, save, table
from playwright.sync_api import sync_playwright

from devserver import start_in_thread
from tests.browser.geminiserver import GeminiServer
from tests.browser.waiting import wait_until

KEY = "AIzaBenchKey-0123456789abcdef"  # the app accepts only keys shaped like Google's (AIza...)
PORT = 47615  # where the fake Gemini server listens for a site built with --build-only
OBSERVE = (Path(__file__).parent / "longchat_observe.js").read_text()
CHANGE = """(n) => {
  const took = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    dispatchEvent(new Event(i % 2 ? 'online' : 'offline'));
    took.push(performance.now() - start);
  }
  dispatchEvent(new Event('online'));
  return took;
}"""


def conversation_file(folder: Path) -> Path:
    from render import answer  # the app's Python (CPython-side): only where the site is built

    turns = [
        ("user", f"Question {i}: how does this work?") if i % 2 == 0 else ("model", answer(2000))
        for i in range(200)
    ]
    messages = [{"id": i + 1, "role": role, "text": text} for i, (role, text) in enumerate(turns)]
    record = {"v": 1, "id": "long", "title": "Long chat", "named": True, "created": 1.7e9, "updated": 1.7e9,
              "messages": messages}  # fmt: skip
    path = folder / "long.json"
    path.write_text(json.dumps({"format": "tabula.conversations", "version": 1, "conversations": [record]}))
    return path


def build_tree(tree: Path, out: Path, port: int, local: bool = False) -> Path:
    """Build the site of the app in `tree` (its own build.py) against a fake Gemini server on
    `port`; `local`: with the tiny test model embedded (it answers instead of the cloud)."""
    catalog = out.parent / "catalog.json"
    catalog.write_text("[]")  # no downloadable models: the cloud engine or the embedded one answers
    command = [sys.executable, str(tree / "build.py"), "--out", str(out), "--catalog", str(catalog)]
    if local:
        command += ["--embed-model", str(tiny_model(out.parent))]
    base = f"http://127.0.0.1:{port}"
    subprocess.run([*command, "--cloud-base", base], cwd=tree, check=True, capture_output=True)
    return out


def tiny_model(folder: Path) -> Path:
    """The tiny test model with its catalogue sidecar, linked into `folder` (once)."""
    from decode import SIDECARS, model_path

    link = folder / "tiny.task"
    if not link.exists():
        link.symlink_to(model_path("tiny"))
        (folder / "tiny.task.json").write_text(json.dumps(SIDECARS["tiny"]))
    return link


def shared(after: Path, before: Path) -> None:
    """Drop from `before` the files it has byte for byte as in `after`, listed in before/SHARED
    (the two sites then fit the GPU machine's 64 MiB carry); restored() brings them back."""
    same = [
        path.relative_to(before).as_posix()
        for path in sorted(before.rglob("*"))
        if path.is_file() and (after / path.relative_to(before)).is_file()
        and filecmp.cmp(path, after / path.relative_to(before), shallow=False)
    ]  # fmt: skip
    for name in same:
        (before / name).unlink()
    (before / "SHARED").write_text("\n".join(same))


def restored(after: Path, before: Path) -> None:
    """Copy back into `before` the files shared() dropped (once; SHARED is removed after)."""
    listing = before / "SHARED"
    if listing.is_file():
        for name in filter(None, listing.read_text().splitlines()):
            (before / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(after / name, before / name)
        listing.unlink()


def build_all(folder: Path, before: str, port: int, local: bool = False) -> None:
    """Everything a run needs, in `folder`: the sites, the chat to import, the answer to stream."""
    from render import answer

    with tempfile.TemporaryDirectory() as tmp:
        trees = {"after": ROOT, **({"before": exported(before, Path(tmp))} if before else {})}
        for side, tree in trees.items():
            build_tree(tree, folder / f"site-{side}", port, local)
    if before:
        shared(folder / "site-after", folder / "site-before")
    conversation_file(folder)
    (folder / "streamed.txt").write_text(answer(16_000))
    meta = {"port": port, "before": before, "sides": list(trees), "local": local}
    (folder / "longchat.json").write_text(json.dumps(meta))


def exported(rev: str, folder: Path) -> Path:
    """The tree at git revision `rev`, as plain files (no worktree), using this checkout's node_modules."""
    tree = folder / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    os.symlink((ROOT / "node_modules").resolve(), tree / "node_modules")
    return tree


def open_long_chat(page, url: str, chats: Path, local: bool = False) -> None:
    page.goto(url + "#/settings")
    wait_until(page, "document.documentElement.dataset.tabula === 'ready'", timeout=300_000)
    if local:
        wait_until(page, "document.getElementById('engine').textContent === 'Ready'", timeout=300_000)
    else:
        wait_until(
            page, "document.getElementById('route').textContent.startsWith('Unavailable')", timeout=60_000
        )
        page.get_by_label("Gemini API key").fill(KEY)
        page.locator("form.cloud").get_by_role("button", name="Save cloud settings").click()
        wait_until(page, "document.getElementById('route').textContent.startsWith('Cloud')", timeout=60_000)
    page.get_by_role("link", name="Chat", exact=True).click()
    box = page.locator("details.library")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator('input[data-action="import-chats"]').set_input_files(chats)
    box.get_by_text("Long chat").first.click()
    wait_until(page, "document.querySelectorAll('#log article.msg').length >= 200", timeout=300_000)


def one_run(browser, url: str, chats: Path, gemini: GeminiServer | None, streamed: str) -> dict:
    """One run; `gemini` None: the embedded model answers (--engine local)."""
    context = browser.new_context()
    page = context.new_page()
    page.on(
        "console", lambda message: message.type in ("error", "warning") and print("console:", message.text)
    )
    open_long_chat(page, url, chats, local=gemini is None)
    page.evaluate(OBSERVE)
    changes = page.evaluate(CHANGE, 20)
    stream(page, gemini, streamed)
    page.wait_for_timeout(500)  # the last long frames' entries are delivered after the frame
    marks = page.evaluate("window.__m.streaming = false, window.__m")
    context.close()
    for loaf in placed(marks):
        print("long frame:", json.dumps(loaf))
    for took, at in zip(marks["longtasks"], marks["longtaskAt"], strict=True):
        print(f"long task: {took:.0f} ms, {at - (marks['started'] or 0):.0f} ms after the stream began")
    return {"changes": changes, **{k: marks[k] for k in ("frames", "longtasks", "delays", "loafs")}}


def stream(page, gemini: GeminiServer | None, streamed: str) -> None:
    """Ask for one more answer, `streamed` arriving in 40-character events (or the embedded
    model's, `gemini` None); type while it streams; return when it is done."""
    if gemini is not None:
        gemini.reply([streamed[i : i + 40] for i in range(0, len(streamed), 40)])
        gemini.slow(0.01)
        gemini.split_writes(False)  # whole events, as a real network mostly delivers them
    page.evaluate("window.__m.streaming = true")
    page.fill("#message", "One more, please.")
    page.press("#message", "Enter")
    try:
        wait_until(
            page, "document.querySelector('.msg.model[data-status=\"streaming\"]') !== null", timeout=60_000
        )
    except TimeoutError:
        print(
            "no stream:", page.locator("#log > article").last.inner_text()[:300], page.inner_text("#notice")
        )
        raise
    page.focus("#message")
    page.keyboard.type("typing while it streams", delay=60 if gemini else 15)
    wait_until(
        page, "document.querySelectorAll('.msg.model[data-status=\"done\"]').length >= 101", timeout=300_000
    )


def placed(marks: dict) -> list[dict]:
    """The long animation frames (over 30 ms), each placed against the stream: ms after it began, after it ended."""
    started, done = marks["started"] or 0, marks["done"] or 0
    return [
        {**{k: v for k, v in loaf.items() if k != "at"}, "after_start_ms": round(loaf["at"] - started),
         "after_done_ms": round(loaf["at"] - done)}
        for loaf in marks["loafs"]
    ]  # fmt: skip


def summary(runs: list[dict]) -> dict:
    med = lambda values: round(statistics.median(values), 2) if values else 0.0  # noqa: E731
    p95 = lambda values: round(sorted(values)[int(0.95 * (len(values) - 1))], 2) if values else 0.0  # noqa: E731
    return {
        "change_ms": med([med(run["changes"]) for run in runs]),
        "paint_ms": med([med(run["frames"]) for run in runs]),
        "paint_p95_ms": med([p95(run["frames"]) for run in runs]),
        "paints": med([len(run["frames"]) for run in runs]),
        "longtasks": med([len(run["longtasks"]) for run in runs]),
        "longtask_max_ms": med([max(run["longtasks"], default=0.0) for run in runs]),
        "input_p95_ms": med([p95(run["delays"]) for run in runs]),
    }


def measure(folder: Path, runs: int, gemini: GeminiServer) -> tuple[dict, dict, str]:
    """Alternate the sides built in `folder` (build_all) for `runs` rounds; medians, raw runs, browser."""
    meta = json.loads((folder / "longchat.json").read_text())
    chats, streamed = folder / "long.json", (folder / "streamed.txt").read_text()
    results: dict[str, list[dict]] = {side: [] for side in meta["sides"]}
    if "before" in meta["sides"]:
        restored(folder / "site-after", folder / "site-before")
    gemini.keys = {KEY}
    servers = {side: start_in_thread(folder / f"site-{side}") for side in meta["sides"]}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        version = browser.version
        for _ in range(runs):
            for side, server in servers.items():
                url = f"http://127.0.0.1:{server.server_port}/"
                results[side].append(
                    one_run(browser, url, chats, None if meta.get("local") else gemini, streamed)
                )
        browser.close()
    for server in servers.values():
        server.shutdown()
    return {side: summary(side_runs) for side, side_runs in results.items()}, results, version


def spread(runs: dict[str, list[dict]]) -> dict:
    """Per side, each run's median per change and per paint, and its long-task count (the spread)."""
    med = lambda values: round(statistics.median(values), 2) if values else 0.0  # noqa: E731
    return {
        side: {
            "change_ms": [med(run["changes"]) for run in side_runs],
            "paint_ms": [med(run["frames"]) for run in side_runs],
            "longtasks": [len(run["longtasks"]) for run in side_runs],
        }
        for side, side_runs in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default="", help="git revision of the app to compare with")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build everything into DIR and stop")
    parser.add_argument("--site", type=Path, metavar="DIR", help="run on what --build-only wrote in DIR")
    parser.add_argument("--engine", choices=("cloud", "local"), default="cloud", help="who answers")
    args = parser.parse_args()
    if args.build_only:
        args.build_only = args.build_only.resolve()  # the other tree builds from its own folder
        args.build_only.mkdir(parents=True, exist_ok=True)
        build_all(args.build_only, args.before, PORT, args.engine == "local")
        return
    with tempfile.TemporaryDirectory() as tmp, GeminiServer() as gemini:
        folder = args.site
        if folder is None:
            folder = Path(tmp)
            build_all(folder, args.before, gemini.port, args.engine == "local")
        else:
            gemini.stop()
            gemini.start(json.loads((folder / "longchat.json").read_text())["port"])
        meta = json.loads((folder / "longchat.json").read_text())
        before, local = meta["before"], meta.get("local", False)
        medians, runs, version = measure(folder, args.runs, gemini)
    data = {
        **machine(version),
        "medians": medians,
        "spread": spread(runs),
        "before": before,
        "runs": args.runs,
    }
    if not args.site:
        data["machine"] += " (shared with other engineers' work)"
    rows = [["measure", *medians]] + [
        [key, *(str(side[key]) for side in medians.values())] for key in medians["after"]
    ]
    print(table(rows))
    print("per run:", json.dumps(data["spread"]))
    print("->", save("longchat-local" if local else "longchat", data))


if __name__ == "__main__":
    main()
