// The Firefox journey (tests/browser/test_firefox.py runs it): Debian's firefox-esr driven over
// WebDriver BiDi by Puppeteer (puppeteer-core, a devDependency). One browser, one page: boot, the
// Models page's device report, the service worker, import the tiny GGUF, an answer on the CPU
// engine, export the conversation as JSON (a real download), then the site's server is killed and
// the app boots offline with the model from OPFS. Waits are on conditions. Writes OUT/result.json:
// {version, steps: [{name, ok, evidence, at_s}], errors, exported}; exits 0 once written.
// Env: BASE (the site's URL), TINY (the tiny GGUF's path), SERVER_PID, OUT.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import puppeteer from "puppeteer-core";

const { BASE, TINY, OUT } = process.env;
const SERVER_PID = Number(process.env.SERVER_PID);
const DOWNLOADS = path.join(OUT, "downloads");
const res = { steps: [], errors: [], exported: null };
const t0 = Date.now();
const step = (name, ok, evidence) => res.steps.push({ name, ok, evidence, at_s: (Date.now() - t0) / 1000 });
const save = () => fs.writeFileSync(path.join(OUT, "result.json"), JSON.stringify(res, null, 2));
const text = (page, selector) => page.evaluate((s) => document.querySelector(s)?.innerText ?? null, selector);
const until = (page, fn, timeout = 120000, arg = null) => page.waitForFunction(fn, { timeout, polling: 200 }, arg);

async function booted(page) {
  await until(page, () => document.documentElement.dataset.tabula !== "booting", 180000);
  return page.evaluate(() => document.documentElement.dataset.tabula);
}

async function engineReady(page) {
  await until(page, () => document.getElementById("engine")?.textContent === "Ready", 180000).catch(() => {});
  return text(page, "#engine");
}

async function models(page) {
  await page.evaluate(() => { location.hash = "#/models"; });
  await until(page, () => /CPU cores/.test(document.getElementById("device")?.innerText ?? ""), 60000);
  step("Models page device report", true, { device: await text(page, "#device"), advice: await text(page, "#catalogue .advice") });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload({ waitUntil: "load" });
  step("boot after reload", (await booted(page)) === "ready", await page.evaluate(() => !!navigator.serviceWorker.controller));
}

async function importAndAnswer(page) {
  await page.evaluate(() => { location.hash = "#/models"; });
  const input = await page.waitForSelector("input[type=file][data-action=import-model]");
  const started = Date.now();
  await input.uploadFile(TINY);
  const cardText = () => [...document.querySelectorAll(".model-card")].find((c) => c.innerText.includes("tiny.gguf"))?.innerText ?? "";
  await until(page, () => [...document.querySelectorAll(".model-card")].some((c) => c.innerText.includes("tiny.gguf")
    && /works offline/.test(c.innerText)) || document.querySelector("#models-notice [role=alert]")).catch(() => {});
  const card = await page.evaluate(cardText);
  step("import tiny.gguf", /works offline/.test(card), { card, notice: await text(page, "#models-notice"), seconds: (Date.now() - started) / 1000 });
  await page.click('.model-card[data-model*="tiny"] button[data-action=use-model]').catch(() => {});
  await page.evaluate(() => { location.hash = "#/chat"; });
  const engine = await engineReady(page);
  step("engine ready", engine === "Ready", engine);
  const box = await page.waitForSelector("textarea[aria-label=Message]");
  await box.type("Hello");
  await page.keyboard.press("Enter");
  const asked = Date.now();
  await until(page, () => /^(done|stopped|cancelled|failed)$/.test(document.querySelector("article.msg.model")?.dataset.status ?? ""), 180000).catch(() => {});
  const answer = await page.evaluate(() => {
    const a = document.querySelector("article.msg.model");
    return a && { status: a.dataset.status, text: a.querySelector(".text")?.textContent ?? "", meta: a.querySelector(".meta")?.innerText ?? "" };
  });
  step("answer", answer?.status === "done" && answer.text.trim().length > 0, { ...answer, seconds: (Date.now() - asked) / 1000 });
}

async function exportConversation(page) {
  await page.evaluate(() => {
    const box = document.querySelector("details.library");
    if (!box.open) box.querySelector("summary").click();
  });
  await page.click('details.library input[name="format"][value="json"]');
  await page.click('form[data-action="export-chats"] button[type=submit]');
  const deadline = Date.now() + 30000;
  let file = null;
  while (!file && Date.now() < deadline) {
    file = fs.readdirSync(DOWNLOADS).find((f) => f.endsWith(".json"));
    if (!file) await new Promise((ok) => setTimeout(ok, 100));
  }
  res.exported = file && fs.readFileSync(path.join(DOWNLOADS, file), "utf8");
  step("export the conversation", !!file, file);
}

async function offline(page) {
  process.kill(SERVER_PID, "SIGTERM");
  const port = Number(new URL(BASE).port);
  const refused = () => new Promise((ok) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => { socket.destroy(); ok(false); });
    socket.on("error", () => ok(true));
  });
  while (!(await refused())) await new Promise((ok) => setTimeout(ok, 100));
  await page.reload({ waitUntil: "load" });
  step("boot offline", (await booted(page)) === "ready", await text(page, "#boot"));
  step("engine ready offline (model from OPFS)", (await engineReady(page)) === "Ready", await text(page, "#engine"));
}

fs.mkdirSync(DOWNLOADS, { recursive: true });
const browser = await puppeteer.launch({
  browser: "firefox", executablePath: "/usr/bin/firefox-esr", headless: true, protocolTimeout: 240000,
  extraPrefsFirefox: {
    "browser.download.folderList": 2, "browser.download.dir": path.resolve(DOWNLOADS),
    "browser.download.useDownloadDir": true, "browser.download.always_ask_before_handling_new_types": false,
  },
});
res.version = await browser.version();
const page = await browser.newPage();
await page.setViewport({ width: 1024, height: 768 });
page.on("console", (m) => m.type() === "error" && res.errors.push(m.text().slice(0, 1000)));
page.on("pageerror", (e) => res.errors.push(`uncaught: ${e?.message ?? e}`.slice(0, 1000)));
try {
  await page.goto(`${BASE}#/chat`, { waitUntil: "load" });
  step("boot", (await booted(page)) === "ready", await text(page, "#boot"));
  await models(page);
  await importAndAnswer(page);
  await exportConversation(page);
  await offline(page);
} catch (error) {
  step("driver", false, String(error?.stack ?? error));
}
save();
await browser.close().catch(() => {});
