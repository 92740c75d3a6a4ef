// bench/longchat.py's page-side recorder (page.evaluate runs this function): the paints in which the
// streaming answer's text changed, long tasks and long animation frames (with their scripts), input
// delay, and when the answer began and ended streaming. Only while window.__m.streaming is true.
() => {
  const m = window.__m = {frames: [], longtasks: [], longtaskAt: [], delays: [], loafs: [], streaming: false, started: null, done: null};
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (m.streaming) m.longtasks.push(e.duration), m.longtaskAt.push(e.startTime); })
    .observe({type: 'longtask'});
  const script = (s) => ({invoker: s.invoker, url: (s.sourceURL || '').split('/').pop(), fn: s.sourceFunctionName,
    ms: Math.round(s.duration), layout_ms: Math.round(s.forcedStyleAndLayoutDuration)});
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (m.started !== null && e.duration > 30) m.loafs.push({
    at: e.startTime, ms: Math.round(e.duration), blocking_ms: Math.round(e.blockingDuration), render_ms: Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0),
    scripts: e.scripts.map(script)}); }).observe({type: 'long-animation-frame'});
  new MutationObserver(() => {
    if (m.started === null && document.querySelector('.msg.model[data-status="streaming"]')) m.started = performance.now();
    if (m.started !== null && m.done === null && !document.querySelector('.msg.model[data-status="streaming"]')) m.done = performance.now();
  }).observe(document.getElementById('log'), {childList: true});  // a bubble's status change repaints it whole
  addEventListener('keydown', (e) => { if (m.streaming) requestAnimationFrame((t) => m.delays.push(t - e.timeStamp)); }, true);
  const raf = window.requestAnimationFrame.bind(window);
  const size = () => document.querySelector('.msg.model[data-status="streaming"] .text')?.textContent.length ?? -1;
  window.requestAnimationFrame = (callback) => raf((t) => {
    const before = size(), start = performance.now();
    callback(t);
    const took = performance.now() - start;
    if (m.streaming && size() !== before) m.frames.push(took);
  });
}
