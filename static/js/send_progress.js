// The send detail page: polls the progress endpoint and updates the bar and the counts in
// place, until the send is no longer open. Without JavaScript the page still shows the figures
// as of its loading.
(function () {
  var box = document.getElementById("send-progress");
  if (!box || box.dataset.open !== "1") return;
  var bar = document.getElementById("send-progress-bar");
  function update(data) {
    bar.max = Math.max(data.recipients, 1);
    bar.value = data.finished;
    bar.textContent = data.percent + "%";
    box.querySelectorAll("[data-count]").forEach(function (el) {
      var value = data[el.dataset.count];
      if (value !== undefined) el.textContent = value;
    });
    if (!data.open) {
      var cancel = document.getElementById("send-cancel");
      if (cancel) cancel.remove();
      box.dataset.open = "0";
      refreshRecipients();
    }
    return data.open;
  }
  // Once the send is over, the per-recipient table is fetched again (one request) so its states
  // match the figures above.
  function refreshRecipients() {
    var table = document.getElementById("send-recipients");
    if (!table) return;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("send-recipients");
        if (fresh) table.replaceWith(fresh);
      })
      .catch(function () {});
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) { if (update(data)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
