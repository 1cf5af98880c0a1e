// Copy buttons: <button data-copy-target="id">. Works without JS too: the text stays selectable.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  if (!field) return;
  var text = field.value !== undefined ? field.value : field.textContent;
  var done = function () {
    var original = button.textContent;
    button.textContent = button.getAttribute("data-copied-label") || "✓";
    setTimeout(function () { button.textContent = original; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    field.select();
    document.execCommand("copy");
    done();
  }
});
