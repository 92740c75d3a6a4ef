// Applies the theme chosen in Settings before the first paint (Python owns the choice and sets it
// again once it runs); a classic script in <head> so nothing flashes in the wrong colours.
// Also adds the viewport's interactive-widget=resizes-content (the on-screen keyboard shrinks the
// page, so the composer stays above it: Chromium and Firefox), except in WebKit (every iPad
// browser: navigator.vendor is Apple's), which does not know the key and logs an error for it on
// every load; Safari resizes the visual viewport only, with or without it.
if (navigator.vendor !== "Apple Computer, Inc.") {
  const viewport = document.querySelector('meta[name="viewport"]');
  viewport?.setAttribute("content", `${viewport.content}, interactive-widget=resizes-content`);
}
try {
  const theme = JSON.parse(localStorage.getItem("tabula.appearance") || "{}").theme;
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {}
