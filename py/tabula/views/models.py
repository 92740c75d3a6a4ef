"""The Models page: the catalogue, which model suits this device and why, and the device facts."""

from __future__ import annotations

from tabula.capability import DeviceReport, assess, pick
from tabula.store import ModelInfo, State
from tabula.views.html import esc, megabytes


def page(state: State) -> tuple[str, str, dict[str, str]]:
    """(title, skeleton, regions) for #/models."""
    body = catalogue(state) + '<h2>This device</h2><div id="device"></div>'
    return "Models", f"<h1>Models</h1>{body}", {"device": device(state.device)}


def catalogue(state: State) -> str:
    if not state.catalog:
        return "<p>This build ships no model.</p>"
    best = pick(state.device, state.catalog) if state.device else None
    advice = f'<p class="advice" role="note">{esc(best.reason)}</p>' if best else ""
    recommended = best.model.id if best and best.model else ""
    items = "".join(card(m, state, m.id == recommended) for m in state.catalog)
    return f'{advice}<ul class="models">{items}</ul>'


def card(model: ModelInfo, state: State, recommended: bool) -> str:
    in_use = model.id == state.model_id
    button = (
        '<span class="in-use">In use</span>'
        if in_use
        else f'<button type="button" data-action="use-model" data-id="{esc(model.id)}">Use this model</button>'
    )
    badge = '<span class="badge recommended">Recommended</span>' if recommended else ""
    verdict = ""
    if state.device is not None:
        result = assess(state.device, model)
        cls = "fits" if result.ok else "no-fit"
        verdict = f'<p class="verdict {cls}">{esc(" ".join(result.reasons))}</p>'
    return (
        f'<li class="model-card"><strong>{esc(model.label)}</strong>{badge} '
        f"<span>{esc(megabytes(model.bytes))} · {esc(model.family)} · {esc(model.source)}</span>"
        f"{button}{verdict}</li>"
    )


def device(report: DeviceReport | None) -> str:
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
        ("Storage", storage(report)),
    )
    facts = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows)
    return f'<dl class="facts">{facts}</dl>'


def storage(report: DeviceReport) -> str:
    if report.quota is None:
        return "not reported"
    kept = {True: "kept (persistent)", False: "may be cleared by the browser", None: "unknown"}
    used = megabytes(report.usage or 0)
    return f"{used} used of {megabytes(report.quota)} · {kept[report.persisted]}"
