"""The Models page: the catalogue with download state, which model suits this device and why,
adding a model by URL or from a file, and the device facts."""

from __future__ import annotations

from tabula.capability import DeviceReport, assess, pick, upgrade
from tabula.catalog import ModelSpec
from tabula.downloads import Download, Quota, eta_text
from tabula.store import State
from tabula.views.html import esc, megabytes

ADD = """<h2>Add a model</h2>
<form class="add-model" data-action="add-model-url">
  <label>Address of a .task file <input name="url" type="url" inputmode="url" required
    placeholder="https://example.org/gemma3-1b-it-int4-web.task"></label>
  <label>Name (optional) <input name="label" type="text" maxlength="60"></label>
  <button type="submit">Add</button>
</form>
<p><label class="file-pick">Import from a file on this device (no network needed)
  <input type="file" accept=".task,.bin,.litertlm" data-action="import-model"></label></p>"""


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/models."""
    skeleton = (
        '<h1>Models</h1><div id="models-notice"></div><div id="catalogue"></div>'
        f'{ADD}<h2>This device</h2><div id="device"></div>'
    )
    regions = {
        "models-notice": notice(state.models_notice),
        "catalogue": catalogue(state),
        "device": device(state.device, state.storage),
    }
    return "Models", skeleton, regions


def notice(text: str) -> str:
    return f'<p class="error" role="alert">{esc(text)}</p>' if text else ""


def catalogue(state: State) -> str:
    if not state.catalog:
        return "<p>This build ships no model. Add one below.</p>"
    best = pick(state.device, state.catalog) if state.device else None
    advice = f'<p class="advice" role="note">{esc(best.reason)}</p>' if best else ""
    recommended = best.model.id if best and best.model else ""
    items = "".join(card(m, state, m.id == recommended) for m in state.catalog)
    return f'{advice}{offer(state)}<ul class="models">{items}</ul>'


def offer(state: State) -> str:
    """The progressive upgrade: a bigger model fits, download it while chatting goes on."""
    model = state.model if state.model and state.usable(state.model) else None
    have = state.ready | {d.model_id for d in state.downloads if d.phase != "failed"}
    better = upgrade(state.device, state.catalog, model, have)
    if better is None:
        return ""
    return (
        f'<div class="upgrade" role="note"><p>{esc(better.label)} fits this device and answers better. '
        f"Download it ({esc(megabytes(better.bytes))}) in the background; you can keep chatting, and "
        "Tabula switches to it once it is checked.</p>"
        f'<button type="button" data-action="upgrade-model" data-id="{esc(better.id)}">Download and switch</button></div>'
    )


def card(model: ModelSpec, state: State, recommended: bool) -> str:
    badge = '<span class="badge recommended">Recommended</span>' if recommended else ""
    size = megabytes(model.bytes) if model.bytes else "size unknown"
    facts = " · ".join(x for x in (size, model.family, model.source, model.licence) if x)
    verdict = ""
    if state.device is not None:
        result = assess(state.device, model)
        verdict = (
            f'<p class="verdict {"fits" if result.ok else "no-fit"}">{esc(" ".join(result.reasons))}</p>'
        )
    return (
        f'<li class="model-card" data-model="{esc(model.id)}"><strong>{esc(model.label)}</strong>{badge} '
        f"<span>{esc(facts)}</span>{buttons(model, state)}{needs(model)}{verdict}{status(model, state)}</li>"
    )


def needs(model: ModelSpec) -> str:
    return f'<p class="needs">Needs: {esc(model.requirements)}</p>' if model.requirements else ""


def buttons(model: ModelSpec, state: State) -> str:
    """The actions that make sense for this model now."""
    job, mid = state.download(model.id), esc(model.id)
    out = []
    if model.id == state.model_id and state.usable(model):
        out.append('<span class="in-use">In use</span>')
    elif state.usable(model):
        out.append(f'<button type="button" data-action="use-model" data-id="{mid}">Use this model</button>')
    if job is not None and job.active:
        out.append(f'<button type="button" data-action="pause-download" data-id="{mid}">Pause</button>')
    elif model.downloadable and model.id not in state.ready:
        out.append(
            f'<button type="button" data-action="download-model" data-id="{mid}">{download_label(model, job)}</button>'
        )
    if model.id in state.ready or (job is not None and job.phase != "ready"):
        word = "Delete" if model.id in state.ready else "Cancel download"
        out.append(
            f'<button type="button" class="quiet" data-action="delete-model" data-id="{mid}">{word}</button>'
        )
    return f'<span class="actions">{"".join(out)}</span>'


def download_label(model: ModelSpec, job: Download | None) -> str:
    if job is not None and job.phase == "paused":
        return "Resume"
    if job is not None and job.phase == "failed":
        return "Try again"
    if model.source == "embedded":
        return "Keep for offline use"
    return f"Download ({esc(megabytes(model.bytes))})" if model.bytes else "Download"


def status(model: ModelSpec, state: State) -> str:
    """Where the model stands on this device, with live progress while it downloads."""
    job = state.download(model.id)
    if model.id in state.ready:
        return '<p class="stored" role="status">On this device · works offline</p>'
    if job is None:
        where = "Loads from this site (online)" if model.source == "embedded" else "Not downloaded"
        return f'<p class="stored">{where}</p>'
    if job.phase == "failed":
        return f'<p class="error" role="alert">{esc(job.message)}</p>'
    bar = (
        f'<progress max="100" value="{job.percent}"></progress>'
        if job.percent is not None
        else "<progress></progress>"
    )
    return f'<div class="progress" role="status">{bar}<span>{esc(progress_text(job))}</span></div>'


def progress_text(job: Download) -> str:
    parts = [job.message] if job.message else []
    done = megabytes(job.done) + (f" of {megabytes(job.total)}" if job.total else "")
    if job.phase in ("downloading", "waiting", "paused", "verifying"):
        parts.append(done + (f" ({job.percent} %)" if job.percent is not None else ""))
    if job.phase == "downloading" and job.speed:
        parts.append(f"{megabytes(int(job.speed))}/s")
        parts.append(eta_text(job.eta))
    return " · ".join(p for p in parts if p)


def device(report: DeviceReport | None, storage: Quota | None = None) -> str:
    """The diagnostics panel: the adapter in use and the limits that decide what fits."""
    if report is None:
        return '<p class="hint">Checking this device…</p>'
    if not report.webgpu:
        return "<p>WebGPU: not available in this browser.</p>"
    rows = (
        (
            "GPU adapter",
            f"{report.vendor or 'unknown vendor'} · {report.architecture or 'unknown architecture'}",
        ),
        ("16-bit GPU math (shader-f16)", "yes" if report.f16 else "no (32-bit mode)"),
        ("Largest GPU buffer", megabytes(report.max_buffer)),
        ("Largest storage binding", megabytes(report.max_storage_binding)),
        ("Memory (reported)", megabytes(report.memory) if report.memory else "not reported"),
        ("CPU cores", str(report.cores or "not reported")),
        ("Storage", storage_text(storage or Quota(report.quota, report.usage, report.persisted))),
    )
    facts = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows)
    return f'<dl class="facts">{facts}</dl>'


def storage_text(storage: Quota) -> str:
    if storage.quota is None:
        return "not reported"
    kept = {
        True: "kept (persistent)",
        False: "may be cleared by the browser when space runs low",
        None: "unknown",
    }
    used = megabytes(storage.usage or 0)
    return f"{used} used of {megabytes(storage.quota)} · {kept[storage.persisted]}"
