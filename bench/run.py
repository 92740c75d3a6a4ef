"""Every benchmark in one go: startup, decode (tiny and the real Gemma 3 270M), models
(storage vs HTTP load, memory, bytes fetched again after a drop), rendering under CPython and the
long chat in Chromium (before vs after issue 15), a photo to the first token (issue #25), and
documents: time to text and ranking recall (issue #24). Each runs as its own process and saves
bench/out/<name>.json; this script then writes one report, bench/RESULTS.md (a table
per benchmark with the machine, browser, model and date) and bench/results.json. Numbers are
reported against their goals, never pass/fail.

Run: .venv/bin/python bench/run.py [--quick]   (--quick: fewer runs, for a smoke check)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from harness import OUT, ROOT, table

REPORT = ROOT / "bench" / "RESULTS.md"
COMBINED = ROOT / "bench" / "results.json"
BEFORE = "8a2e9bc"  # the app before issue 15's rendering work, for longchat's before column


def plan(quick: bool) -> list[tuple[str, list[str]]]:
    """(saved name, command) for every benchmark."""
    runs = ["--runs", "2"] if quick else []
    bench = lambda script, *args: [sys.executable, str(ROOT / "bench" / script), *args, *runs]  # noqa: E731
    return [
        ("startup", bench("startup.py")),
        ("decode-tiny", bench("decode.py", "--model", "tiny")),
        ("decode-real", bench("decode.py", "--model", "real")),
        ("decode-real-cpu", bench("decode.py", "--model", "real", "--engine", "cpu")),
        ("models", bench("models.py", "--model", "real")),
        ("render", bench("render.py")),
        ("longchat", bench("longchat.py", "--before", BEFORE)),
        (
            "engine-worker",
            [
                sys.executable,
                str(ROOT / "bench" / "engine_worker.py"),
                *(["--stops", "2", "--cycles", "2"] if quick else ["--stops", "5", "--cycles", "20"]),
            ],
        ),
        ("shift", bench("shift.py", "--before", BEFORE)),
        ("lighthouse", bench("lighthouse.py")),
        ("lighthouse-playwright", bench("lighthouse.py", "--playwright")),
        ("boottasks", bench("boottasks.py")),
        ("photo", bench("photo.py")),
        ("documents", bench("documents.py")),
    ]


def run_all(quick: bool) -> dict[str, dict]:
    """Run each benchmark; its saved JSON, or the reason it has none."""
    results = {}
    for name, command in plan(quick):
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        (OUT / f"{name}.json").unlink(missing_ok=True)
        done = subprocess.run(command, cwd=ROOT, check=False)
        path = OUT / f"{name}.json"
        results[name] = json.loads(path.read_text()) if done.returncode == 0 and path.is_file() else {
            "failed": f"exit code {done.returncode}"
        }  # fmt: skip
    return results


def startup_rows(data: dict) -> list[list[str]]:
    m, r = data["medians"], data["ratios"]
    return [
        ["measure", "result", "goal"],
        [
            "warm (3rd visit): Python ready, app / bare PyScript page",
            f"{r['warm ready app/bare']}×",
            "≤ 1.1×",
        ],
        [
            "2nd visit: Python ready, app / bare",
            f"{r['second ready app/bare']}×",
            "(code caches being written)",
        ],
        [
            "cold: Python ready, app / bare",
            f"{r['cold ready app/bare']}×",
            "(first visit: nothing cached yet)",
        ],
        [
            "warm: first paint / ready (ms)",
            f"{m['app warm paint']} / {m['app warm ready']}",
            "paint before Python",
        ],
        ["precached shell", f"{r['precached MB']} MB", ""],
    ]


def decode_rows(data: dict) -> list[list[str]]:
    app, bare, r = data["medians"]["app"], data["medians"]["bare"], data["ratios"]
    worker = data["medians"].get("worker")
    if worker:  # the app, the bare main-thread page and the bare worker page (MediaPipe's sample)
        return decode_worker_rows(app, bare, worker, r)
    return [
        ["measure", "app", "bare wllama page" if data.get("engine") == "cpu" else "bare MediaPipe page", "goal"],
        ["decode tokens/s", app["decode_tps"], bare["decode_tps"], f"app ≥ 0.98× bare (now {r['decode app/bare']}×)"],
        ["time to first token (ms)", app["ttft_ms"], bare["ttft_ms"], "app ≤ bare + 50 ms"],
        *([["decode tokens/s, as tokens arrive", app["arrived_tps"], bare["arrived_tps"], f"per pair: {r['decode app/bare, pairs']}"],
           ["first token (ms), as it arrives", app["arrived_ttft_ms"], bare["arrived_ttft_ms"], "same idle gap after ready on both sides"],
           ["Enter to the engine's call (ms)", app["key_to_engine_ms"], "—", "Python's work before the engine is asked"]]
          if "arrived_tps" in app else []),
        ["longest long task while streaming (ms)", app["longtask_max_ms"], bare["longtask_max_ms"], "none > 50 ms from our code"],
        ["p95 input delay while streaming (ms)", app["input_p95_ms"], bare["input_p95_ms"], "< 50 ms"],
    ]  # fmt: skip


def decode_worker_rows(app: dict, bare: dict, worker: dict, r: dict) -> list[list[str]]:
    w = " (vs worker page)"
    return [
        ["measure", "app (engine in its worker)", "bare page (main thread)", "bare worker page (MediaPipe's sample)", "goal"],
        ["decode tokens/s, as tokens arrive", app["arrived_tps"], bare["arrived_tps"], worker["arrived_tps"],
         f"app ≥ 1.00× bare (now {r['decode app/bare, as tokens arrive']}×), ≥ 0.98× worker page "
         f"(now {r['decode app/worker, as tokens arrive' + w]}×)"],
        ["  per pair, app / bare", "", str(r["decode app/bare, pairs"]), "", ""],
        ["  per pair, app / worker page", "", "", str(r["decode app/worker, pairs" + w]), ""],
        ["decode tokens/s, as painted", app["decode_tps"], bare["decode_tps"], worker["decode_tps"], ""],
        ["first token as painted (ms)", app["ttft_ms"], bare["ttft_ms"], worker["ttft_ms"],
         f"app − bare ≤ +15 ms (now {r['ttft app-bare ms, as painted']:+})"],
        ["first token as it arrives (ms)", app["arrived_ttft_ms"], bare["arrived_ttft_ms"], worker["arrived_ttft_ms"],
         f"app − bare {r['ttft app-bare ms, as tokens arrive']:+} ms"],
        ["Enter to the engine's call (ms)", app["key_to_engine_ms"], "—", "—", "Python's work before the engine is asked"],
        ["long tasks while streaming / longest (ms)", f"{app['longtasks']} / {app['longtask_max_ms']}",
         f"{bare['longtasks']} / {bare['longtask_max_ms']}", f"{worker['longtasks']} / {worker['longtask_max_ms']}", "0"],
        ["p95 input delay while streaming (ms)", app["input_p95_ms"], bare["input_p95_ms"], worker["input_p95_ms"], "≤ 16 ms"],
    ]  # fmt: skip


def engine_worker_rows(data: dict) -> list[list[str]]:
    stops = [s["seconds"] for s in data["stops"]]
    return [
        ["measure", "result", "goal"],
        ["Stop, then Send: to the next answer's first text (s, median)", data["stop_to_next_first_text_s"], "≤ 1 s"],
        ["  per stop (s)", str(stops), ""],
        ["  model reloads among them", data["reloads"], "0"],
        [f"GPU devices alive after {data.get('cycles', 0)} cycles (switch, failed load, stop, take-over)",
         data.get("gpu_devices_alive", "—"), "≤ 1"],
        ["  engine hosts alive, window 1 / window 2", str(data.get("engine_hosts", "—")), "1 / 0"],
    ]  # fmt: skip


def models_rows(data: dict) -> list[list[str]]:
    s, size = data["summary"], data["bytes"]
    return [
        ["measure", "result", "goal"],
        ["load from storage / loopback HTTP", f"{s['storage']['ms']} / {s['http']['ms']} ms = {s['storage/http']}×", "≤ 1.1×"],
        ["JS heap peak over steady during load", f"{s['storage']['js_over_steady_mb']} MB ({100 * s['storage']['js_over_steady_mb'] * 1e6 / size:.1f} %)", "≤ 10 % of the model"],
        ["renderer RSS peak over steady during load", f"{s['storage']['renderer_over_steady_mb']} MB ({100 * s['storage']['renderer_over_steady_mb'] * 1e6 / size:.0f} %)", "≤ 10 % (MediaPipe's loader; same from HTTP)"],
        ["bytes fetched again after a drop (worst)", f"{s['refetched_max'] / 1e6:.1f} MB", f"≤ one chunk ({s['chunk'] / 1e6:.1f} MB)"],
    ]  # fmt: skip


def render_rows(data: dict) -> list[list[str]]:
    m = data["medians"]
    return [
        ["measure (CPython, main-thread Python only)", "before", "after", "goal"],
        ["per state change, 200-message chat, 2 KB answers (ms)", m["change_before_ms"], m["change_after_ms"], "≤ 5 ms"],
        ["per paint, 4 KB streaming answer (ms)", m["paint_4k_before_ms"], m["paint_4k_after_ms"], "≤ 2 ms"],
        ["per paint, 16 KB streaming answer (ms)", m["paint_16k_before_ms"], m["paint_16k_after_ms"], "≤ 2 ms"],
    ]  # fmt: skip


def longchat_rows(data: dict) -> list[list[str]]:
    m = data["medians"]
    sides = [side for side in ("before", "after") if side in m]
    label = {"before": f"before ({data.get('before', '')})", "after": "after"}
    names = [
        ("change_ms", "main-thread time per state change (ms)", "≤ 5 ms"),
        ("paint_ms", "per paint while 16 KB streams, median (ms)", "≤ 2 ms"),
        ("paint_p95_ms", "per paint, p95 (ms)", ""),
        ("paints", "paints while it streamed", ""),
        ("longtasks", "long tasks > 50 ms while it streamed", "0"),
        ("longtask_max_ms", "longest long task (ms)", ""),
        ("input_p95_ms", "p95 input delay while it streamed (ms)", "< 50 ms"),
    ]
    return [["measure", *(label[side] for side in sides), "goal"]] + [
        [title, *(m[side][key] for side in sides), goal] for key, title, goal in names
    ]


def lighthouse_rows(data: dict) -> list[list[str]]:
    views = data["views"]
    spread = lambda view, key: ", ".join(str(round(run[key], 3)) for run in views[view]["runs"])  # noqa: E731
    names = [(key, title) for key, title in (("tbt_ms", "total blocking time (ms)"), ("tti_ms", "time to interactive (ms)"),
             ("ready_ms", "Python ready (ms)"), ("fcp_ms", "first contentful paint (ms)"), ("cls", "cumulative layout shift"))
             if key in views["desktop"]["median"]]  # fmt: skip
    goal = {"tbt_ms": ("≤ 2000 (desktop)", ""), "cls": ("", "≤ 0.05 (mobile)")}
    return [["measure", "desktop", "desktop runs", "mobile", "mobile runs", "goal"]] + [
        [title, views["desktop"]["median"][key], spread("desktop", key), views["mobile"]["median"][key],
         spread("mobile", key), " ".join(goal.get(key, ("", ""))).strip()]
        for key, title in names
    ]  # fmt: skip


def boottasks_rows(data: dict) -> list[list[str]]:
    rows = [
        [
            "visit",
            "run",
            "blocking time FCP→ready (ms)",
            "ready (ms)",
            "long tasks (start ms: length ms, after mark)",
        ]
    ]
    for visit, runs in data["visits"].items():
        for number, run in enumerate(runs, 1):
            tasks = "; ".join(f"{t['start_ms']}: {t['ms']:.0f}, {t['after']}" for t in run["tasks"])
            rows.append([visit, number, run["tbt_ms"], run["ready_ms"], tasks])
    return rows


def shift_rows(data: dict) -> list[list[str]]:
    m = data["medians"]
    sides = [side for side in ("before", "after") if side in m]
    label = {"before": f"before ({data.get('before', '')})", "after": "after"}
    views = list(m["after"])
    return [["layout shift at startup (#/chat)", *(label[side] for side in sides), "goal"]] + [
        [view, *(m[side][view] for side in sides), "≤ 0.05"] for view in views
    ]


def profile_rows(data: dict) -> list[list[str]]:
    rows = [["side, run", "tokens", "window ms", "main thread busy", "heaviest buckets (ms per s)"]]
    for side, runs in data["sides"].items():
        for number, run in enumerate(runs, 1):
            top = "; ".join(f"{k} {b['ms_per_s']}" for k, b in list(run["buckets"].items())[:4])
            rows.append([f"{side} {number}", run["tokens"], run["window_ms"], run["busy_share"], top])
    return rows


# Measured on another machine (the lent GPU, by hand: bench/gpu.md); a run here keeps their figures.
ELSEWHERE = ("decode-tiny-gpu", "startup-gpu", "longchat-gpu", "boottasks-gpu", "lighthouse-playwright-gpu",
             "decode-real-cpu-mt-gpu", "decode-real-cpu-1t-gpu", "decodeprofile-gpu", "decode-real-gpu",
             "decode-tiny-worker-gpu", "decode-real-worker-gpu", "engine-worker-gpu", "longchat-local-gpu")  # fmt: skip
def photo_rows(data: dict) -> list[list[str]]:
    m = data["median_ms"]
    return [
        ["measure (photo to first token, ms, median)", "result", "goal"],
        ["app: Enter to the first token at the page", m["app_enter"], "what a person waits, less the paint"],
        ["app: engine asked to its first token", m["app_engine"], f"≤ bare ({m['app_engine'] / m['bare']:.2f}×)"],
        ["bare Transformers.js worker page", m["bare"], ""],
    ]


def documents_rows(data: dict) -> list[list[str]]:
    rows = [["measure", "result", "goal"]]
    rows += [[f"time to text: {name} (ms, median)", f"{ms:.0f}", ""] for name, ms in data["time_to_text_ms"].items()]
    for lang, r in data["recall"].items():
        found = f"{r['bm25@1']:.2f} / {r['bm25@3']:.2f} vs {r['overlap@1']:.2f} / {r['overlap@3']:.2f}"
        rows.append([f"recall@1 / @3, {lang}: BM25 vs word overlap", found, "BM25 ≥ word overlap"])
    return rows


SECTIONS = {
    "startup": ("Startup (bench/startup.py): the app vs a bare PyScript page", startup_rows),
    "decode-tiny": ("Decode, tiny test model (bench/decode.py --model tiny)", decode_rows),
    "decode-real": ("Decode, Gemma 3 270M (bench/decode.py --model real)", decode_rows),
    "decode-real-cpu": (
        "Decode on the CPU engine, Gemma 3 270M GGUF Q4_K_M (bench/decode.py --model real --engine cpu, WebGPU off)",
        decode_rows,
    ),
    "decode-tiny-gpu": (
        "Decode on a real GPU, tiny test model (bench/decode.py --site, on the lent NVIDIA H200: bench/gpu.md)",
        decode_rows,
    ),
    "decode-real-gpu": (
        "Decode on a real GPU, Gemma 3 270M (bench/decode.py --model real --site, on the lent NVIDIA H200)",
        decode_rows,
    ),
    "decode-real-cpu-mt-gpu": (
        "Decode on the CPU engine with threads, Gemma 3 270M GGUF (bench/decode.py --engine cpu --isolated,"
        " on the lent H200 host's CPU: bench/gpu.md)",
        decode_rows,
    ),
    "decode-real-cpu-1t-gpu": (
        "Decode on the CPU engine, one thread (not isolated), Gemma 3 270M GGUF, on the lent H200 host's CPU",
        decode_rows,
    ),
    "decodeprofile-gpu": (
        "Main thread while an answer streams (bench/decodeprofile.py, a Chrome trace), on the lent NVIDIA H200",
        lambda data: profile_rows(data),
    ),
    "decode-tiny-worker-gpu": (
        "Decode with the engine in its worker, tiny test model: app vs the bare main-thread page and MediaPipe's"
        " worker sample (bench/decode.py --site, on the lent GPU machine: bench/gpu.md)",
        decode_rows,
    ),
    "decode-real-worker-gpu": (
        "Decode with the engine in its worker, Gemma 3 270M: app vs both bare pages (on the lent GPU machine)",
        decode_rows,
    ),
    "engine-worker": (
        "The engine in its worker (bench/engine_worker.py): Stop then Send, GPU devices",
        engine_worker_rows,
    ),
    "engine-worker-gpu": (
        "The engine in its worker (bench/engine_worker.py --site, on the lent GPU machine): Stop then Send, GPU devices",
        engine_worker_rows,
    ),
    "longchat-local-gpu": (
        "Long chat with the on-device engine streaming (bench/longchat.py --engine local --site, on the lent GPU"
        " machine): 200 messages, the tiny model answering at its own speed",
        longchat_rows,
    ),
    "models": ("Models (bench/models.py --model real): storage, memory, resume", models_rows),
    "render": ("Rendering under CPython (bench/render.py): per state change and per paint", render_rows),
    "shift": ("Startup layout shift (bench/shift.py): the shell vs the app's first paint", shift_rows),
    "longchat": (
        "Long chat in Chromium (bench/longchat.py): 200 messages, a 16 KB answer streaming",
        longchat_rows,
    ),
    "lighthouse": (
        "Cold visit, Lighthouse (bench/lighthouse.py): blocking time and layout shift",
        lighthouse_rows,
    ),
    "lighthouse-playwright": (
        "Cold visit, our own measure (bench/lighthouse.py --playwright): blocking time until Python is ready",
        lighthouse_rows,
    ),
    "boottasks": ("Start-up long tasks (bench/boottasks.py): a Chrome trace of the boot", boottasks_rows),
    "photo": ("A photo to the first token (bench/photo.py): Transformers.js, the app vs a bare worker page", photo_rows),
    "documents": (
        "Documents (bench/documents.py): time to text in the reader worker (PDF.js, mammoth), ranking recall",
        documents_rows,
    ),
}
# The same benchmarks' --site runs on the lent GPU machine (bench/gpu.md): bench/out/<name>-gpu.json.
GPU = " (--site, on the lent NVIDIA H200: bench/gpu.md)"
SECTIONS |= {
    f"{name}-gpu": (SECTIONS[name][0] + GPU, SECTIONS[name][1])
    for name in ("startup", "longchat", "boottasks", "lighthouse-playwright")
}


def report(results: dict[str, dict]) -> str:
    """RESULTS.md: one section per benchmark, each naming where and when it was measured."""
    parts = ["# Benchmark results", "", "Written by `bench/run.py`; raw numbers in `bench/results.json`.", ""]
    for name, (title, rows) in SECTIONS.items():
        if name.endswith("-gpu") and name not in results:
            continue  # not measured there yet (bench/gpu.md)
        data = results.get(name, {"failed": "not run"})
        parts += [f"## {title}", ""]
        if "failed" in data:
            parts += [f"Not measured: {data['failed']}.", ""]
            continue
        model = data.get("model", "the app only")
        parts += [f"{data['date']} · {data['machine']} · {data['browser']} · model: {model}", ""]
        parts += [table([[str(cell) for cell in row] for row in rows(data)]), ""]
        if data.get("note"):
            parts += [data["note"], ""]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per benchmark")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from bench/out over results.json"
    )
    args = parser.parse_args()
    kept = json.loads(COMBINED.read_text()) if COMBINED.is_file() else {}
    if args.report_only:  # what bench/out holds now, over the figures kept from before
        saved = {
            n: json.loads((OUT / f"{n}.json").read_text()) for n in SECTIONS if (OUT / f"{n}.json").is_file()
        }
        results = {**{n: kept[n] for n in SECTIONS if n in kept}, **saved}
    else:
        results = run_all(args.quick)
    results = {**{n: kept[n] for n in ELSEWHERE if n in kept}, **results}
    COMBINED.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    REPORT.write_text(report(results))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
