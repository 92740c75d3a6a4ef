// What must happen before Python exists: register the service worker early, show boot
// progress, turn a failed boot into a readable message, tell Python about SW updates, and send
// the composer on Enter.
// No application logic: Python reads updateWaiting()/onUpdateWaiting() and
// updatedElsewhere()/onUpdatedElsewhere() (another window activated a new version: this one still
// runs the old one, served its own files by the service worker), calls applyUpdate(), and decides
// when to checkForUpdate().
const root = document.documentElement;
let waiting = null;
let elsewhere = false;
let applying = false;
let registration = null;
const listeners = new Set();
const elsewhereListeners = new Set();

addEventListener("py:progress", (event) => {
  const line = document.getElementById("boot");
  if (line && root.dataset.tabula === "booting") line.textContent = `Starting Tabula… ${event.detail}`;
});

function fail(message) {
  if (root.dataset.tabula !== "booting") return;
  root.dataset.tabula = "error";
  const view = document.getElementById("view");
  view.replaceChildren();
  const box = Object.assign(document.createElement("div"), { className: "error", role: "alert" });
  box.append(Object.assign(document.createElement("h1"), { textContent: "Tabula could not start" }));
  box.append(Object.assign(document.createElement("p"), { textContent: String(message) }));
  box.append(Object.assign(document.createElement("p"), { textContent: "Reload the page to try again." }));
  view.append(box);
}
addEventListener("error", (event) => {
  if (event instanceof ErrorEvent) fail(event.message);
  else if (event.target?.tagName === "SCRIPT") fail(`Could not load ${event.target.src}`);
}, true);
addEventListener("unhandledrejection", (event) => fail(event.reason?.message ?? event.reason));
// Pyodide 314 catches a failed instantiation of its wasm (a download cut short, a file that did
// not arrive), only warns "wasm instantiation failed!" and never settles: the boot would wait on
// "Starting Tabula…" for ever. Its warning ends the boot with a reason instead.
const warn = console.warn.bind(console);
console.warn = (...args) => {
  warn(...args);
  if (root.dataset.tabula === "booting" && String(args[0]).startsWith("wasm instantiation failed")) {
    fail("The Python runtime (pyodide.asm.wasm) did not load. Check the connection.");
  }
};

// Enter sends from a box marked data-enter-submits (Shift+Enter makes a new line): here, so no
// keystroke crosses into Python; only the form's submit does, as any other submit.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  if (!box?.hasAttribute?.("data-enter-submits") || !box.form) return;
  event.preventDefault();
  box.form.requestSubmit();
});

function setWaiting(worker) {
  waiting = worker;
  for (const callback of listeners) callback(true);
}

function watchController() {
  let controlled = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.controller?.postMessage({ type: "STARTED" });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (applying) return location.reload();
    if (controlled) {
      waiting = null;
      elsewhere = true;
      for (const callback of elsewhereListeners) callback(true);
    }
    controlled = true;
  });
}

async function register() {
  if (!("serviceWorker" in navigator)) return;
  watchController();
  registration = await navigator.serviceWorker.register("./sw.js");
  if (registration.waiting && navigator.serviceWorker.controller) setWaiting(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) setWaiting(worker);
    });
  });
}
register().catch((error) => console.warn("Service worker not registered:", error.message));

// Installing: keep the browser's install offer (it comes once, early) until the user asks for it.
let offer = null;
const installListeners = new Set();
const tellInstallable = () => { for (const callback of installListeners) callback(offer !== null); };
addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  offer = event;
  tellInstallable();
});
addEventListener("appinstalled", () => {
  offer = null;
  tellInstallable();
});

export const installable = () => offer !== null;
export const onInstallable = (callback) => installListeners.add(callback);
// Shows the browser's install dialog; resolves "accepted", "dismissed" or "unavailable".
export async function install() {
  if (!offer) return "unavailable";
  const shown = offer;
  offer = null;
  tellInstallable();
  await shown.prompt();
  return (await shown.userChoice).outcome;
}

export const updateWaiting = () => waiting !== null;
export const onUpdateWaiting = (callback) => listeners.add(callback);
export const updatedElsewhere = () => elsewhere;
export const onUpdatedElsewhere = (callback) => elsewhereListeners.add(callback);
export const onVisible = (callback) =>
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && callback());
// Asks the browser to look for a new sw.js now; false when there is no registration or no network.
export async function checkForUpdate() {
  if (!registration) return false;
  try {
    await registration.update();
    return true;
  } catch {
    return false;
  }
}
export function applyUpdate() {
  if (elsewhere) {
    location.reload();
    return true;
  }
  if (!waiting) return false;
  const worker = waiting;
  if (worker.state === "activated" || worker.state === "redundant") location.reload(); // a click again
  if (!applying) worker.addEventListener("statechange", () => worker.state === "activated" && location.reload());
  applying = true;
  worker.postMessage({ type: "SKIP_WAITING" });
  return true;
}
