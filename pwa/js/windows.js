// Windows of this origin (tabs, the installed app): which one runs the engine and the downloads
// (a Web Lock held for the page's life), and a BroadcastChannel for telling the others what
// changed. A thin shim: plain values in and out; the policy is Python's (models/ownership.py).

const LOCK = "tabula-engine";

// Resolves true once this window holds the engine lock (taken from another window when `steal`),
// false when another window holds it. `onLost()` runs if another window takes it later.
export function hold(steal, onLost) {
  if (!navigator.locks) return Promise.resolve(true); // no Web Locks: no other window can be known
  return new Promise((resolve) => {
    const options = steal ? { steal: true } : { ifAvailable: true };
    navigator.locks
      .request(LOCK, options, (lock) => {
        resolve(Boolean(lock));
        return lock ? new Promise(() => {}) : undefined; // held until the page goes away
      })
      .catch((error) => {
        if (error && error.name === "AbortError") onLost();
      });
  });
}

// A channel to the other windows: post(text) sends, onMessage(text) hears theirs (never its own).
export function channel(name, onMessage) {
  if (typeof BroadcastChannel === "undefined") return { post() {} };
  const ch = new BroadcastChannel(name);
  ch.onmessage = (event) => onMessage(String(event.data));
  return { post: (text) => ch.postMessage(String(text)) };
}
