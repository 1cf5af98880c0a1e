// Live preview for the rejection template editor. Without JS the "プレビューを更新" button posts
// the form and the page comes back with the preview; with JS the preview follows the typing.
(function () {
  var form = document.getElementById("template-form");
  var target = document.getElementById("template-preview");
  if (!form || !target || !window.fetch) return;
  var timer = null;
  var controller = null;
  var button = form.querySelector(".rt-preview-button");
  if (button) button.hidden = true;

  function update() {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        target.innerHTML = html;
      })
      .catch(function () {
        if (button) button.hidden = false; // fall back to the button
      });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(update, delay);
  }

  form.addEventListener("input", function () { schedule(400); });
  form.addEventListener("change", function () { schedule(50); });
})();
