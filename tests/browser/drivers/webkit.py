"""The WebKit journey (tests/browser/test_webkit.py runs it): WebKitGTK driven in-process through
PyGObject, with a persistent profile (WebKit's WebDriver sessions are always ephemeral, like a
private window, so no model could be stored) and the storage features Safari ships switched on
(WebKitGTK's defaults leave them off). One view: boot with WebKitGTK's defaults (no Storage API,
as some web views: the Models page says models cannot be kept), the service worker, the storage
features on from the reload, the device report, import the tiny GGUF (through the real file
chooser), an answer on the CPU engine (only with ANSWER=1), export the conversation (a real
download), then the site's server is killed and the app boots offline. Waits are on conditions.

Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-webkit2-4.1) under xvfb-run. Env: BASE,
TINY, SERVER_PID, OUT, ANSWER. Writes OUT/result.json: {webkit, steps, errors, exported}; the
engine's own console messages (CSP, viewport) go to stdout as "CONSOLE … ERROR" lines.
"""

import json
import os
import signal
import socket
import time
import urllib.parse

import gi

gi.require_version("WebKit2", "4.1")
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk, WebKit2  # noqa: E402

BASE, TINY, OUT = os.environ["BASE"], os.environ["TINY"], os.environ["OUT"]
# What Safari ships for storage, all off in WebKitGTK by default: the Storage API, OPFS, sync access
# handles in workers, and createWritable (Safari 26; without it, as in Safari 17 and 18, the app
# writes through sync access handles, but WebKitGTK 2.50's backend refuses those with
# NotSupportedError, so the app could keep nothing here: that path is tested in Chromium,
# test_webkit_storage.py).
SAFARI = ("StorageAPI", "StorageAPIEstimate", "FileSystem", "AccessHandle", "FileSystemWritableStream")
HOOK = """window.__errors = [];
addEventListener('error', (e) => __errors.push('uncaught: ' + e.message), true);
addEventListener('unhandledrejection', (e) => __errors.push('unhandled: ' + (e.reason && e.reason.message || e.reason)));
{ const real = console.error.bind(console);
  console.error = (...a) => { __errors.push(a.map(String).join(' ').slice(0, 1000)); real(...a); }; }"""
res = {"steps": [], "errors": [], "exported": None}
t0 = time.monotonic()


def step(name, ok, evidence=None):
    res["steps"].append({"name": name, "ok": ok, "evidence": evidence, "at_s": round(time.monotonic() - t0, 1)})
    print(f"[{time.monotonic() - t0:.1f}s] {name}: {ok} {json.dumps(evidence)[:300]}", flush=True)


def pump(seconds=0.02):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while Gtk.events_pending():
            Gtk.main_iteration_do(False)
        time.sleep(0.005)


def switch(view, features):
    """Turn on the named WebKit features (from the next load: set_settings passes them on)."""
    settings = view.get_settings()
    known = settings.get_all_features()
    for i in range(known.get_length()):
        if known.get(i).get_identifier() in features:
            settings.set_feature_enabled(known.get(i), True)
    view.set_settings(settings)


def make_view(profile):
    """A WebView on a persistent profile, with WebKitGTK's default features."""
    manager = WebKit2.WebsiteDataManager(base_data_directory=f"{profile}/data", base_cache_directory=f"{profile}/cache")
    context = WebKit2.WebContext.new_with_website_data_manager(manager)
    context.connect("download-started", on_download)
    settings = WebKit2.Settings(enable_write_console_messages_to_stdout=True)
    scripts = WebKit2.UserContentManager()
    scripts.add_script(WebKit2.UserScript(HOOK, WebKit2.UserContentInjectedFrames.TOP_FRAME,
                                          WebKit2.UserScriptInjectionTime.START, None, None))
    view = WebKit2.WebView(web_context=context, settings=settings, user_content_manager=scripts)
    view.connect("run-file-chooser", lambda _v, request: request.select_files([TINY]) or True)
    window = Gtk.Window()
    window.set_default_size(1024, 768)
    window.add(view)
    window.show_all()
    return view


def on_download(_context, download):
    def destination(d, suggested):
        d.set_destination("file://" + os.path.join(OUT, "downloads", suggested))
        return True

    def finished(d):
        res["downloaded"] = urllib.parse.unquote(d.get_destination()[len("file://"):])

    download.connect("decide-destination", destination)
    download.connect("finished", finished)


def call(view, body, timeout=60):
    """Run an async JS function body in the page; its JSON value (or 'script failed: …')."""
    box = {}

    def done(v, result):
        try:
            value = v.call_async_javascript_function_finish(result)
            box["v"] = None if value.is_undefined() else json.loads(value.to_json(0) or "null")
        except Exception as error:
            box["v"] = f"script failed: {error}"

    view.call_async_javascript_function(body, -1, None, None, None, None, done)
    end = time.monotonic() + timeout
    while "v" not in box and time.monotonic() < end:
        pump()
    return box.get("v", "script timed out")


def until(view, body, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = call(view, body)
        if value and not (isinstance(value, str) and value.startswith("script")):
            return value
        pump(0.2)
    return None


def load(view, uri=None):
    done = {}
    handler = view.connect("load-changed", lambda _v, event: event == WebKit2.LoadEvent.FINISHED and done.setdefault("ok", 1))
    view.load_uri(uri) if uri else view.reload()
    end = time.monotonic() + 120
    while "ok" not in done and time.monotonic() < end:
        pump()
    view.disconnect(handler)
    until(view, "return document.documentElement.dataset.tabula !== 'booting'", 180)
    return call(view, "return document.documentElement.dataset.tabula")


def text(view, selector):
    return call(view, f"return document.querySelector({json.dumps(selector)})?.innerText ?? null")


DEVICE = "return /CPU cores/.test(document.getElementById('device')?.innerText ?? '') && document.getElementById('device').innerText"


def models(view):
    """WebKitGTK's defaults first (no Storage API, as some web views): the page says models cannot
    be kept. Then Safari's storage features, from the reload that the service worker controls."""
    call(view, "location.hash = '#/models'")
    device = until(view, DEVICE, 60)
    step("Models page without storage", bool(device), {"device": device, "catalogue": text(view, "#catalogue")})
    until(view, "await navigator.serviceWorker.ready; return true", 120)
    switch(view, SAFARI)
    state = load(view)
    step("boot after reload", state == "ready", call(view, "return !!navigator.serviceWorker.controller"))
    step("Models page device report", bool(until(view, DEVICE, 60)), {"device": text(view, "#device")})


def import_tiny(view):
    call(view, "location.hash = '#/models'")
    # A click the person makes: the file chooser opens and answers with the tiny GGUF.
    until(view, "return !!document.querySelector('input[data-action=import-model]')", 30)
    view.evaluate_javascript("document.querySelector('input[data-action=import-model]').click()", -1, None, None, None, None)
    card = until(view, """const c = [...document.querySelectorAll('.model-card')].find((x) => x.innerText.includes('tiny.gguf'));
        const alert = document.querySelector('#models-notice [role=alert]');
        return (c && /works offline/.test(c.innerText) && c.innerText) || (alert && 'notice: ' + alert.innerText)""", 120)
    step("import tiny.gguf", bool(card) and "works offline" in card, card)
    folders = call(view, """const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('models');
        const out = {}; for await (const [name, d] of dir.entries()) { out[name] = [];
          for await (const [file] of d.entries()) out[name].push(file); } return out;""")
    step("stored as whole chunks, nothing half-written", isinstance(folders, dict)
         and all(not f.endswith(".part") for files in folders.values() for f in files), folders)


def answer(view):
    call(view, "document.querySelector('.model-card[data-model*=\"tiny\"] button[data-action=use-model]')?.click()")
    call(view, "location.hash = '#/chat'")
    engine = until(view, "return document.getElementById('engine')?.textContent === 'Ready' || document.querySelector('[role=alert]')?.innerText", 180)
    step("engine ready", engine is True, engine)
    call(view, """const box = document.querySelector('textarea[aria-label=Message]'); box.value = 'Hello';
        box.dispatchEvent(new Event('input', {bubbles: true})); document.querySelector('form.composer button[type=submit]').click();""")
    # Left to run to its end (the tiny model seldom stops before its 1,024-token budget): on the
    # Safari build, a cache filled to the brim made llama.cpp's next read take 26 s, and the answer
    # was declared stalled in 2 of 5 runs, until the engine's context got room to spare.
    until(view, "return /^(done|stopped|cancelled|failed)$/.test(document.querySelector('article.msg.model')?.dataset.status ?? '')", 180)
    reply = call(view, """const a = document.querySelector('article.msg.model');
        return a && {status: a.dataset.status, text: a.querySelector('.text')?.textContent ?? '', meta: a.querySelector('.meta')?.innerText ?? '',
                     error: a.querySelector('.msg-error')?.innerText ?? ''};""")
    step("answer", isinstance(reply, dict) and reply["status"] == "done" and bool(reply["text"].strip()), reply)


def export(view):
    """A conversation to export: the answered one, else one sent with no engine (kept all the same)."""
    call(view, "location.hash = '#/chat'")
    if not call(view, "return !!document.querySelector('article.msg.user')"):
        call(view, """const box = document.querySelector('textarea[aria-label=Message]'); box.value = 'Hello';
            box.dispatchEvent(new Event('input', {bubbles: true})); document.querySelector('form.composer button[type=submit]').click();""")
        until(view, "return !!document.querySelector('article.msg.user')", 30)
    call(view, """const box = document.querySelector('details.library'); if (!box.open) box.querySelector('summary').click();
        document.querySelector('form[data-action="export-chats"] button[type=submit]').click();""")
    end = time.monotonic() + 30
    while "downloaded" not in res and time.monotonic() < end:
        pump(0.1)
    if "downloaded" in res:
        with open(res["downloaded"]) as f:
            res["exported"] = f.read()
    step("export the conversation", "downloaded" in res, res.get("downloaded"))


def offline(view):
    os.kill(int(os.environ["SERVER_PID"]), signal.SIGTERM)
    port = urllib.parse.urlparse(BASE).port
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.1)
        except OSError:
            break
    step("boot offline", load(view) == "ready", text(view, "#boot"))
    if os.environ.get("ANSWER") == "1":
        ready = until(view, "return document.getElementById('engine')?.textContent === 'Ready'", 120)
        step("engine ready offline (model from OPFS)", ready is True, text(view, "#engine"))


def harvest(view):
    found = call(view, "const x = window.__errors || []; window.__errors = []; return x;")
    res["errors"] += found if isinstance(found, list) else [str(found)]


def main():
    os.makedirs(os.path.join(OUT, "downloads"), exist_ok=True)
    res["webkit"] = f"{WebKit2.get_major_version()}.{WebKit2.get_minor_version()}.{WebKit2.get_micro_version()}"
    view = make_view(os.path.join(OUT, "profile"))
    step("boot", load(view, BASE + "#/chat") == "ready", text(view, "#boot"))
    models(view)
    import_tiny(view)
    if os.environ.get("ANSWER") == "1":
        answer(view)
    export(view)
    harvest(view)
    offline(view)
    harvest(view)


try:
    main()
except Exception as error:
    step("driver", False, repr(error))
with open(os.path.join(OUT, "result.json"), "w") as f:
    json.dump(res, f, indent=2)
