// Thin shim over two vendored libraries: DOMPurify (every piece of HTML Python paints passes
// through it — a second wall behind markdown-it's escaping, so model output and imported text can
// never run script or load remote content) and highlight.js (colours finished code blocks; loaded
// the first time a code block is shown). Plain values in and out; no app logic here.

let purify = null;
let highlightUrl = "";
let highlighter = null;

const POLICY = {
  SANITIZE_DOM: false, // our own ids and form field names ("title", "id") must survive
  FORBID_TAGS: ["style", "img", "video", "audio", "source", "iframe", "object", "embed", "link", "base", "meta"],
  FORBID_ATTR: ["style", "srcset", "background", "poster", "formaction", "action", "ping"],
  // DOMPurify's default, less the schemes we never link to: http(s), mailto, or no scheme at all.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.\-]+(?:[^a-z+.\-:]|$))/i,
};

// Loads DOMPurify from `purifyUrl` (absolute) and remembers where highlight.js lives.
export async function load(purifyUrl, hljsUrl) {
  purify = (await import(purifyUrl)).default;
  highlightUrl = hljsUrl;
}

// `html` with anything that could run script or fetch remote content removed.
export function clean(html) {
  if (purify === null) throw new Error("rich.js: load() first");
  return purify.sanitize(html, POLICY);
}

// Sets `element`'s content to the cleaned `html`.
export function paint(element, html) {
  element.innerHTML = clean(html);
  highlight(element);
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
