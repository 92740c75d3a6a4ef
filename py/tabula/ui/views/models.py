"""The Models page: the catalogue with download state, which model suits this device and why,
adding a model by URL or from a file, and the device facts."""

from __future__ import annotations

from dataclasses import replace

from tabula.core.state import State
from tabula.i18n.translate import N_, tr
from tabula.models.catalog import ModelSpec
from tabula.models.fit import DeviceReport, assess, cpu_threads, pick, upgrade
from tabula.models.sets import abilities
from tabula.models.transfers import CANNOT_KEEP, Download, Quota, eta_text
from tabula.ui.views.html import esc, megabytes

SOURCES = {
    "catalogue": N_("catalogue"),
    "embedded": N_("embedded"),
    "custom": N_("custom"),
    "imported": N_("imported"),
}
KEPT = {
    True: N_("kept (persistent)"),
    False: N_("may be cleared by the browser when space runs low"),
    None: N_("unknown"),
}
FILES = {  # how this browser writes model files (opfs_chunks.capability)
    "writable": N_("private files (OPFS, writable streams)"),
    "sync": N_("private files (OPFS, sync access handles in a worker)"),
}


def add_forms() -> str:
    """Add a model by its address, or import one from a file on this device."""
    return f"""<h2>{esc(tr("Add a model"))}</h2>
<form class="add-model" data-action="add-model-url">
  <label>{esc(tr("Address of a .task or .gguf file"))} <input name="url" type="url" inputmode="url" required
    placeholder="https://example.org/gemma3-1b-it-int4-web.task"></label>
  <label>{esc(tr("Name (optional)"))} <input name="label" type="text" maxlength="60"></label>
  <button type="submit">{esc(tr("Add"))}</button>
</form>
<p><label class="file-pick">{esc(tr("Import from a file on this device (no network needed)"))}
  <input type="file" accept=".task,.bin,.litertlm,.gguf" data-action="import-model"></label></p>
<p><label class="file-pick">{esc(tr("Import a model made of several files: pick its folder"))}
  <input type="file" webkitdirectory multiple data-action="import-model-set"></label>
<label class="file-pick">{esc(tr("…or pick all its files"))}
  <input type="file" multiple data-action="import-model-set"></label></p>"""


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/models."""
    skeleton = (
        f'<h1>{esc(tr("Models"))}</h1><div id="models-notice"></div><div id="catalogue"></div>'
        f'{add_forms()}<h2>{esc(tr("This device"))}</h2><div id="device"></div>'
    )
    regions = {
        "models-notice": notice(state.models_notice),
        "catalogue": catalogue(state),
        "device": device(state.device, state.storage),
    }
    return tr("Models"), skeleton, regions


def notice(text: str) -> str:
    return f'<p class="error" role="alert">{esc(text)}</p>' if text else ""


def cannot_keep(storage: Quota | None) -> str:
    """The sentence for a browser that cannot keep models (no OPFS, or a private session)."""
    if storage is None or storage.files != "none":
        return ""
    return f'<p class="advice" role="note">{esc(tr(CANNOT_KEEP))}</p>'


def catalogue(state: State) -> str:
    if not state.catalog:
        return f"{cannot_keep(state.storage)}<p>{esc(tr('This build ships no model. Add one below.'))}</p>"
    best = pick(state.device, state.catalog) if state.device else None
    advice = cannot_keep(state.storage)
    advice += f'<p class="advice" role="note">{esc(best.reason)}</p>' if best else ""
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
    text = tr(
        "{model} fits this device and answers better. Download it ({size}) in the background; "
        "you can keep chatting, and Tabula switches to it once it is checked.",
        model=better.label,
        size=megabytes(better.bytes),
    )
    return (
        f'<div class="upgrade" role="note"><p>{esc(text)}</p>'
        f'<button type="button" data-action="upgrade-model" data-id="{esc(better.id)}">'
        f"{esc(tr('Download and switch'))}</button></div>"
    )


def card(model: ModelSpec, state: State, recommended: bool) -> str:
    badge = f'<span class="badge recommended">{esc(tr("Recommended"))}</span>' if recommended else ""
    size = megabytes(model.bytes) if model.bytes else tr("size unknown")
    source = tr(SOURCES[model.source]) if model.source in SOURCES else model.source
    files = tr("{count} files", count=len(model.files)) if model.files else ""
    facts = " · ".join(x for x in (size, files, model.family, source, model.licence) if x)
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


UNKNOWN_TEMPLATE = N_(
    "Tabula does not know this model's chat format, so it continues your text instead of "
    "answering as in a chat."
)


def needs(model: ModelSpec) -> str:
    can = abilities(model)
    out = f'<p class="can">{esc(tr("Understands: {inputs}", inputs=can))}</p>' if can else ""
    if model.family == "completion" and model.source in ("custom", "imported"):
        out += f'<p class="note">{esc(tr(UNKNOWN_TEMPLATE))}</p>'
    if not model.requirements:
        return out
    return out + f'<p class="needs">{esc(tr("Needs: {requirements}", requirements=model.requirements))}</p>'


def buttons(model: ModelSpec, state: State) -> str:
    """The actions that make sense for this model now."""
    job, mid = state.download(model.id), esc(model.id)
    out = []
    if model.id == state.model_id and state.usable(model):
        out.append(f'<span class="in-use">{esc(tr("In use"))}</span>')
    elif state.usable(model):
        out.append(
            f'<button type="button" data-action="use-model" data-id="{mid}">{esc(tr("Use this model"))}</button>'
        )
    if job is not None and job.active:
        out.append(
            f'<button type="button" data-action="pause-download" data-id="{mid}">{esc(tr("Pause"))}</button>'
        )
    elif model.downloadable and model.id not in state.ready:
        out.append(
            f'<button type="button" data-action="download-model" data-id="{mid}">{download_label(model, job)}</button>'
        )
    if model.id in state.ready or (job is not None and job.phase != "ready"):
        word = esc(tr("Delete") if model.id in state.ready else tr("Cancel download"))
        out.append(
            f'<button type="button" class="quiet" data-action="delete-model" data-id="{mid}">{word}</button>'
        )
    return f'<span class="actions">{"".join(out)}</span>'


def download_label(model: ModelSpec, job: Download | None) -> str:
    if job is not None and job.phase == "paused":
        return esc(tr("Resume"))
    if job is not None and job.phase == "failed":
        return esc(tr("Try again"))
    if model.source == "embedded":
        return esc(tr("Keep for offline use"))
    return esc(tr("Download ({size})", size=megabytes(model.bytes)) if model.bytes else tr("Download"))


def status(model: ModelSpec, state: State) -> str:
    """Where the model stands on this device, with live progress while it downloads."""
    job = state.download(model.id)
    if model.id in state.ready:
        return f'<p class="stored" role="status">{esc(tr("On this device · works offline"))}</p>'
    if job is None:
        where = tr("Loads from this site (online)") if model.source == "embedded" else tr("Not downloaded")
        return f'<p class="stored">{esc(where)}</p>'
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
    done = megabytes(job.done)
    if job.total:
        done = tr("{done} of {total}", done=done, total=megabytes(job.total))
    if job.phase in ("checking", "downloading", "waiting", "paused", "verifying"):
        parts.append(done + (f" ({job.percent} %)" if job.percent is not None else ""))
    if job.phase == "downloading" and job.speed:
        parts.append(tr("{size}/s", size=megabytes(int(job.speed))))
        parts.append(eta_text(job.eta))
    return " · ".join(p for p in parts if p)


def device(report: DeviceReport | None, storage: Quota | None = None) -> str:
    """The diagnostics panel: the adapter in use, the limits that decide what fits, and how many
    threads the CPU engine gets."""
    if report is None:
        return f'<p class="hint">{esc(tr("Checking this device…"))}</p>'
    rows = (
        *gpu_rows(report),
        (tr("Memory (reported)"), megabytes(report.memory) if report.memory else tr("not reported")),
        (tr("CPU cores"), str(report.cores or tr("not reported"))),
        (tr("CPU engine"), threads_text(report)),
        (tr("CPU engine build"), tr(BUILDS.get(report.cpu_build, BUILDS["main"]))),
        (tr("Storage"), storage_text(storage or Quota(report.quota, report.usage, report.persisted))),
    )
    facts = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows)
    return f'<dl class="facts">{facts}</dl>'


def gpu_rows(report: DeviceReport) -> tuple[tuple[str, str], ...]:
    if not report.webgpu:
        return ((tr("GPU adapter"), tr("none: this browser has no WebGPU")),)
    adapter = " · ".join(
        (report.vendor or tr("unknown vendor"), report.architecture or tr("unknown architecture"))
    )
    if report.software:
        adapter = tr("{adapter} (a software renderer: the CPU draws)", adapter=adapter)
    return (
        (tr("GPU adapter"), adapter),
        (tr("16-bit GPU math (shader-f16)"), tr("yes") if report.f16 else tr("no (32-bit mode)")),
        (tr("Largest GPU buffer"), megabytes(report.max_buffer)),
        (tr("Largest storage binding"), megabytes(report.max_storage_binding)),
    )


# wllama's two builds (pwa/js/engine_wllama.js): which one runs here, as the device report says.
BUILDS = {
    "main": N_("the main build (wasm JSPI and Memory64)"),
    "compat": N_("the Safari build (no wasm JSPI or Memory64 here: slower)"),
}


def threads_text(report: DeviceReport) -> str:
    """How many threads the CPU engine uses, and why: wasm threads need a cross-origin isolated page."""
    if report.isolated and not report.shared_memory:
        return tr("one thread: this browser has no shared memory for wasm threads (SharedArrayBuffer)")
    if report.isolated and cpu_threads(report) == 1:
        return tr("one thread: the page is cross-origin isolated, but this device has too few cores for more")
    if report.isolated:
        return tr(
            "{threads} threads: the page is cross-origin isolated (the service worker adds the headers)",
            threads=cpu_threads(report),
        )
    if not report.controlled:
        return tr(
            "one thread for now: the offline copy was just installed; from the next start the page is "
            "cross-origin isolated and it can use {threads}",
            threads=cpu_threads(replace(report, isolated=True)),
        )
    return tr("one thread: this browser does not isolate the page, so wasm threads are off")


def storage_text(storage: Quota) -> str:
    """What the browser gives for models: how files are written, how much room, whether kept."""
    if storage.files not in FILES:
        return tr("none: this browser cannot keep models")
    kind = tr(FILES[storage.files])
    if storage.quota is None:
        return f"{kind} · {tr('size not reported')}"
    used = tr("{used} used of {quota}", used=megabytes(storage.usage or 0), quota=megabytes(storage.quota))
    return f"{kind} · {used} · {tr(KEPT[storage.persisted])}"
