// The operator console's overview: a printout carries the explanations folded away on screen.
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("#ops-console details")) details.open = true;
});
