// Applies the theme chosen in Settings before the first paint (Python owns the choice and sets it
// again once it runs); a classic script in <head> so nothing flashes in the wrong colours.
try {
  const theme = JSON.parse(localStorage.getItem("tabula.appearance") || "{}").theme;
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {}
