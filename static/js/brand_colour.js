// The colour picker beside the #RRGGBB field: shown only when scripts run (the field alone works
// without them), and the two kept in step.
document.querySelectorAll("[data-colour-for]").forEach((picker) => {
  const field = document.getElementById(picker.dataset.colourFor);
  if (!field) return;
  picker.closest("[hidden]")?.removeAttribute("hidden");
  if (/^#[0-9a-fA-F]{6}$/.test(field.value.trim())) picker.value = field.value.trim();
  picker.addEventListener("input", () => { field.value = picker.value; });
  field.addEventListener("input", () => {
    const value = field.value.trim();
    if (/^#[0-9a-fA-F]{6}$/.test(value)) picker.value = value;
  });
});
