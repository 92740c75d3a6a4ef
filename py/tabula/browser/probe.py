"""probe(): measure this device into a models.fit.DeviceReport (WebGPU adapter, memory, storage,
cross-origin isolation); languages(): the browser's preferred languages."""

from __future__ import annotations

import js
from pyodide.ffi import JsException, to_js

from tabula.browser.mediapipe import probe as adapter_facts
from tabula.models.fit import GB, DeviceReport


def languages() -> tuple[str, ...]:
    """The browser's preferred languages (navigator.languages), most preferred first."""
    return tuple(str(tag) for tag in js.navigator.languages)


def cpu_build() -> str:
    """Which wllama build runs here, by wllama 3.13's own rule (pwa/js/engine_wllama.js compat()):
    "compat" (Safari's) without wasm JSPI or Memory64, except in Firefox, which runs "main"."""
    if "Firefox/" in str(js.navigator.userAgent):
        return "main"
    try:
        js.WebAssembly.Memory.new(js.Object.fromEntries(to_js([["address", "i64"], ["initial", js.BigInt(1)]])))
    except JsException:
        return "compat"  # no Memory64
    return "main" if hasattr(js.WebAssembly, "Suspending") else "compat"


async def probe() -> DeviceReport:
    gpu = await adapter_facts()
    navigator = js.navigator
    memory = getattr(navigator, "deviceMemory", None)
    estimate = await navigator.storage.estimate() if hasattr(navigator, "storage") else None
    persisted = bool(await navigator.storage.persisted()) if hasattr(navigator, "storage") else None
    return DeviceReport(
        webgpu=bool(gpu["webgpu"]),
        vendor=str(gpu["vendor"]),
        architecture=str(gpu["architecture"]),
        f16=bool(gpu["f16"]),
        max_buffer=int(gpu["maxBufferSize"]),
        max_storage_binding=int(gpu["maxStorageBufferBindingSize"]),
        memory=int(float(memory) * GB) if isinstance(memory, int | float) else None,
        cores=int(getattr(navigator, "hardwareConcurrency", 0) or 0),
        quota=int(estimate.quota) if estimate is not None else None,
        usage=int(estimate.usage) if estimate is not None else None,
        persisted=persisted,
        fallback=bool(gpu.get("fallback", False)),
        description=str(gpu.get("description", "")),
        isolated=bool(getattr(js, "crossOriginIsolated", False)),
        shared_memory=hasattr(js, "SharedArrayBuffer"),
        cpu_build=cpu_build(),
        controlled=bool(js.Boolean(getattr(getattr(navigator, "serviceWorker", None), "controller", None))),
    )
