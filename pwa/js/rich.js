// Thin shim over two vendored libraries: DOMPurify (every piece of HTML Python paints passes
// through it — a second wall behind markdown-it's escaping, so model output and imported text can
// never run script or load remote content) and highlight.js (colours finished code blocks; loaded
// the first time a code block is shown). Plain values in and out; no app logic here.
//
// Two policies, on two DOMPurify instances (hooks belong to an instance):
// - VIEW, for the app's own views: what Python's views write (forms, buttons, data-action...).
//   It lets a link's target through (for the text in it, cleaned again by TEXT afterwards).
// - TEXT, strict, for what the Markdown renderer makes of model and imported text, wherever a
//   view marks it ([data-md]) and for the streaming painter: only the tags markdown-it emits and
//   the code block's bar (its Copy button is the one button allowed, and carries no data-*), no
//   forms, fields, frames, styles, ids or data-* but data-lang / data-live.
// Under both, a link with a target opens as _blank with rel="noopener noreferrer".

let views = null;
let text = null;
let streaming = null; // TEXT again, set once and returning fragments: a paint parses no config
let highlightUrl = "";
let highlighter = null;

// DOMPurify's default, less the schemes we never link to: http(s), mailto, or no scheme at all.
const URIS = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.\-]+(?:[^a-z+.\-:]|$))/i;
const VIEW = {
  SANITIZE_DOM: false, // our own ids and form field names ("title", "id") must survive
  FORBID_TAGS: ["style", "img", "video", "audio", "source", "iframe", "object", "embed", "link", "base", "meta"],
  FORBID_ATTR: ["style", "srcset", "background", "poster", "formaction", "action", "ping"],
  ADD_ATTR: ["target", "webkitdirectory"], // webkitdirectory: a model made of several files is picked as a folder
  ALLOWED_URI_REGEXP: URIS,
};
const TEXT = {
  ALLOWED_TAGS: ["p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "button"],
  ALLOWED_ATTR: ["href", "title", "start", "class", "type", "target", "rel", "data-lang", "data-live"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: URIS,
};

// The one button message text may hold: the Copy button in a code block's bar.
function isCopyButton(node) {
  const bar = node.parentElement;
  return node.className === "copy" && bar?.className === "code-bar" && bar.parentElement?.className === "code";
}

function noOpener(purify) {
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("target")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  return purify;
}

function strict(purify) {
  purify.addHook("uponSanitizeElement", (node, data) => {
    if (data.tagName === "button" && !isCopyButton(node)) node.remove();
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "BUTTON") node.setAttribute("type", "button");
  });
  return noOpener(purify);
}

// Loads DOMPurify from `purifyUrl` (absolute) and remembers where highlight.js lives.
export async function load(purifyUrl, hljsUrl) {
  const purify = (await import(purifyUrl)).default;
  views = noOpener(purify(window));
  text = strict(purify(window));
  streaming = strict(purify(window));
  streaming.setConfig({ ...TEXT, RETURN_DOM_FRAGMENT: true });
  highlightUrl = hljsUrl;
}

function ready() {
  if (views === null) throw new Error("rich.js: load() first");
}

// Sets `element`'s content to a view's `html` cleaned by VIEW, then the content of each [data-md]
// in it (message text) cleaned again by TEXT: what is left there is what TEXT allows.
export function paint(element, html) {
  ready();
  element.innerHTML = views.sanitize(html, VIEW);
  for (const box of element.querySelectorAll("[data-md]")) box.innerHTML = text.sanitize(box.innerHTML, TEXT);
  highlight(element);
}

// Sets `element`'s content (a message's text) to `html` cleaned by TEXT alone.
export function paintText(element, html) {
  ready();
  element.innerHTML = text.sanitize(html, TEXT);
  highlight(element);
}

// A streaming answer's text in `element`: `done` (the finished blocks' HTML, which only grows
// while the answer streams) and `open` (the last block's). What was painted of `done` stays in
// place, so its nodes, selection and colours survive; only the new part and the open block are
// cleaned and put in. A different `done` (a new node, another answer) paints it all again.
const streams = new WeakMap(); // element -> {done, nodes}
export function paintStream(element, done, open) {
  ready();
  let shown = streams.get(element);
  if (!shown || !done.startsWith(shown.done)) {
    element.replaceChildren();
    shown = { done: "", nodes: 0 };
  }
  while (element.childNodes.length > shown.nodes) element.lastChild.remove();
  if (done.length > shown.done.length) {
    element.append(streaming.sanitize(done.slice(shown.done.length)));
    highlight(element);
  }
  streams.set(element, { done, nodes: element.childNodes.length });
  element.append(streaming.sanitize(open));
}

// Updates `element`'s children, each a view's item marked data-key, to `keys` in that order:
// the items in `changed` (key -> HTML) are painted anew (as paint() would), the others are left
// as they are (their DOM, selection and colours survive), those not in `keys` removed.
export function paintItems(element, keys, changed) {
  ready();
  const old = new Map();
  for (const child of [...element.children]) {
    if (child.dataset.key && !old.has(child.dataset.key)) old.set(child.dataset.key, child);
    else child.remove();
  }
  const wanted = new Set(keys);
  for (const [key, node] of old) if (!wanted.has(key)) node.remove();
  let before = element.firstElementChild;
  const painted = [];
  for (const key of keys) {
    let node = old.get(key);
    if (Object.hasOwn(changed, key)) {
      if (node === before) before = node.nextElementSibling;
      node?.remove();
      node = item(changed[key]);
      painted.push(node);
    }
    if (!node) continue;
    if (node === before) before = node.nextElementSibling;
    else element.insertBefore(node, before);
  }
  for (const node of painted) highlight(node);
}

function item(html) {
  const box = document.createElement("template");
  box.innerHTML = views.sanitize(html, VIEW);
  for (const md of box.content.querySelectorAll("[data-md]")) md.innerHTML = text.sanitize(md.innerHTML, TEXT);
  return box.content.firstElementChild ?? document.createElement("div");
}

// Colours the finished code blocks under `root` (not a streaming answer's: it would flicker).
export function highlight(root) {
  const blocks = root.querySelectorAll(".code:not([data-live]) pre code:not(.hljs)");
  if (blocks.length === 0) return;
  highlighter ??= import(highlightUrl).then((module) => module.default);
  highlighter.then((hljs) => {
    for (const block of blocks) {
      const lang = block.dataset.lang;
      if (lang && hljs.getLanguage(lang)) block.classList.add(`language-${lang}`);
      if (block.isConnected) hljs.highlightElement(block);
    }
  });
}

// Puts `text` on the clipboard; resolves true when it worked.
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
