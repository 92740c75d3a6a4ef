"""The engine in its worker (issue #22): Stop then Send, and GPU devices after many cycles.

- stop: `--stops` times, a long answer streams; at its first painted text Stop is pressed and
  the next question sent at once. Measured: Stop press to the next answer's first painted text,
  and whether the model was reloaded (the Engine status showed "Loading"). Goal: <= 1 s, no
  reload. MediaPipe 0.10.29 ignores cancelProcessing for .task models, so the engine finishes the
  stopped answer first: the time is what that takes (bench/RESULTS.md).
- cycles: `--cycles` times, in two windows of one profile: switch model (the other of two
  embedded copies of the tiny model, with no token limit in their records, so each first load
  fails on MediaPipe's "maximum cache size" and is retried at 256), stop an answer mid-way, and
  *Use Tabula here* in the second window and back in the first. Measured at the end: engine hosts
  alive in each window and GPU devices alive (asked for minus destroyed in every engine worker
  still alive). Goal: <= 1.

Run: .venv/bin/python bench/engine_worker.py [--stops 5] [--cycles 20]
(`--build-only DIR` then `--site DIR` runs it elsewhere, e.g. on the lent GPU machine: bench/gpu.md.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from harness import launch, machine, median, save
from playwright.sync_api import Page, expect, sync_playwright

from devserver import start_in_thread
from tests.browser.engines import engine_workers
from tests.browser.waiting import wait_until

SETTINGS = {"max_tokens": 256, "top_k": 1, "temperature": 0.0, "seed": 1, "system_prompt": ""}
MODELS = ("tiny-a", "tiny-b")
# The answer `id` shows text from the model (a waiting answer's placeholder does not count).
FIRST_TEXT = """(id) => {
  const answer = document.getElementById(id);
  return ['streaming', 'done'].includes(answer?.dataset.status) && answer.querySelector('.text').textContent.trim() !== '';
}"""
STATUSES = """() => {
  const node = document.getElementById('engine');
  window.__statuses = [];
  new MutationObserver(() => window.__statuses.push(node.textContent))
    .observe(node, {subtree: true, childList: true, characterData: true});
}"""


def build_site(out: Path) -> Path:
    """Two embedded copies of the tiny model, neither with a token limit in its record."""
    import build  # jinja2 and npm: only where the site is built (not on the GPU machine)
    from tests.browser.conftest import project_path

    folder = Path(tempfile.mkdtemp())
    models = []
    for name in MODELS:
        link = folder / f"{name}.task"
        link.symlink_to(project_path("tiny"))
        (folder / f"{name}.task.json").write_text(json.dumps({"label": name, "family": "gemma3"}))
        models.append(link)
    catalog = folder / "catalog.json"
    catalog.write_text("[]")
    site = build.build(folder / "_site", models=models, catalog=catalog)
    shutil.copytree(site, out, symlinks=False)
    return out


def ready(page: Page) -> None:
    expect(page.locator("#engine")).to_have_text("Ready", timeout=300_000)


LAST_ANSWER = "() => document.querySelector('#log article.msg.model:last-of-type')?.id ?? ''"


def send(page: Page, text: str) -> str:
    """Send `text`; the id of its answer (a new last answer in the log)."""
    page.wait_for_selector("#message")
    before = page.evaluate(LAST_ANSWER)
    page.fill("#message", text)
    page.press("#message", "Enter")
    return wait_until(
        page, f"() => {{ const id = ({LAST_ANSWER})(); return id !== {json.dumps(before)} && id; }}"
    )


def stop_then_send(page: Page) -> dict:
    first = send(page, "Write a long story about the sea")
    wait_until(page, FIRST_TEXT, first, timeout=300_000)
    page.evaluate(STATUSES)
    began = time.monotonic()
    page.locator("form.composer").get_by_role("button", name="Stop").click()
    following = send(page, "And now something short")
    wait_until(page, FIRST_TEXT, following, timeout=300_000)
    seconds = time.monotonic() - began
    expect(page.locator(f"#{following}")).to_have_attribute(
        "data-status", "done", timeout=300_000
    )
    reloaded = any("Loading" in s for s in page.evaluate("window.__statuses"))
    return {"seconds": round(seconds, 3), "reloaded": reloaded}


def switch_model(page: Page, cycle: int) -> None:
    """Use the other embedded model, its token limit forgotten: its first load fails, then loads."""
    target = f"embedded-{MODELS[(cycle + 1) % 2]}"
    page.evaluate("(id) => localStorage.removeItem('tabula.limit.' + id)", target)
    page.get_by_role("link", name="Models", exact=True).click()
    page.locator(f'button[data-action="use-model"][data-id="{target}"]').click()
    page.get_by_role("link", name="Chat", exact=True).click()
    ready(page)


def stop_mid_answer(page: Page) -> None:
    answer = send(page, "Write a long story")
    wait_until(page, FIRST_TEXT, answer, timeout=300_000)
    page.locator("form.composer").get_by_role("button", name="Stop").click()


def take_over(page: Page) -> None:
    page.get_by_role("button", name="Use Tabula here").click()
    ready(page)


def devices_alive(page: Page) -> tuple[int, int]:
    """(engine hosts alive, GPU devices alive in them) in `page`."""
    hosts = page.evaluate("window.tabulaDiagnostics().engine_hosts")
    stats = [worker.evaluate("() => self.tabulaEngine.stats()") for worker in engine_workers(page)]
    return hosts, sum(s["requested"] - s["destroyed"] for s in stats)


def cycles(browser, url: str, count: int) -> dict:
    context = browser.new_context()
    context.add_init_script(f"localStorage.setItem('tabula.settings', {json.dumps(json.dumps(SETTINGS))})")
    first, second = context.new_page(), context.new_page()
    first.goto(url + "#/chat")
    ready(first)
    second.goto(url + "#/chat")
    expect(second.locator("#banner")).to_contain_text("another window", timeout=60_000)
    began = time.monotonic()
    for cycle in range(count):
        switch_model(first, cycle)
        stop_mid_answer(first)
        take_over(second)
        take_over(first)
    first.wait_for_timeout(2000)  # let the ended workers' close events reach Playwright
    (hosts_a, gpu_a), (hosts_b, gpu_b) = devices_alive(first), devices_alive(second)
    context.close()
    return {"cycles": count, "seconds": round(time.monotonic() - began), "engine_hosts": [hosts_a, hosts_b],
            "gpu_devices_alive": gpu_a + gpu_b}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--site", type=Path, help="a site built before (--build-only)")
    parser.add_argument("--build-only", type=Path, metavar="DIR", help="build the site into DIR and stop")
    args = parser.parse_args()
    if args.build_only:
        build_site(args.build_only)
        return
    site = args.site or build_site(Path(tempfile.mkdtemp()) / "site")
    server = start_in_thread(site)
    url = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context()
        context.add_init_script(
            f"localStorage.setItem('tabula.settings', {json.dumps(json.dumps(SETTINGS))})"
        )
        page = context.new_page()
        page.goto(url + "#/chat")
        ready(page)
        stops = [stop_then_send(page) for _ in range(args.stops)]
        context.close()
        cycled = cycles(browser, url, args.cycles) if args.cycles else {}
        version = browser.version
        browser.close()
    server.shutdown()
    result = {"stops": stops, "stop_to_next_first_text_s": median([s["seconds"] for s in stops]),
              "reloads": sum(s["reloaded"] for s in stops), **cycled, **machine(version)}  # fmt: skip
    print(json.dumps(result, indent=1))
    print("->", save("engine-worker", result))


if __name__ == "__main__":
    main()
