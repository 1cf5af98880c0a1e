// The candidate's profile page, progressively enhanced: the page works without this file.
// 1. Work history: an "add" button appends a row from the <template> (Django formset prefix __prefix__).
// 2. Skills: the comma-separated text field becomes tags; the field itself stays the value sent.
(function () {
  "use strict";

  document.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.getAttribute("data-formset");
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = box.querySelector(".formset-rows");
    var add = box.querySelector("[data-add-row]");
    var hint = box.querySelector("[data-no-js-hint]");
    if (!total || !template || !rows || !add) return;
    add.hidden = false;
    if (hint) hint.hidden = true;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      var legend = row.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.trim() + " " + (index + 1);
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text]");
      if (first) first.focus();
    });
  });

  var SEPARATORS = /[,、,;;\n]/;

  function key(name) {
    // The same folding as the server's skill_key: NFKC, case, katakana -> hiragana.
    return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase()
      .replace(/[\u30a1-\u30f6]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0x60); });
  }

  document.querySelectorAll("input[data-tag-input]").forEach(function (field) {
    var wrap = document.createElement("div");
    wrap.className = "tag-input";
    var list = document.createElement("ul");
    list.className = "tags";
    list.setAttribute("aria-live", "polite");
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "tag-entry";
    entry.id = field.id + "_entry";
    entry.setAttribute("aria-describedby", field.id + "_helptext");
    entry.placeholder = field.placeholder;
    entry.autocomplete = "off";
    field.type = "hidden";
    field.parentNode.insertBefore(wrap, field);
    wrap.appendChild(list);
    wrap.appendChild(entry);
    var label = document.querySelector("label[for='" + field.id + "']");
    if (label) label.setAttribute("for", entry.id);

    function names() {
      return field.value.split(SEPARATORS).map(function (s) { return s.trim(); }).filter(Boolean);
    }
    function render() {
      list.innerHTML = "";
      names().forEach(function (name, i) {
        var item = document.createElement("li");
        item.className = "tag";
        item.appendChild(document.createTextNode(name));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "tag-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", name + " (" + (field.getAttribute("data-remove-label") || "×") + ")");
        remove.addEventListener("click", function () {
          var all = names();
          all.splice(i, 1);
          field.value = all.join(", ");
          render();
          entry.focus();
        });
        item.appendChild(remove);
        list.appendChild(item);
      });
    }
    function commit() {
      var typed = entry.value.split(SEPARATORS).map(function (s) { return s.trim(); }).filter(Boolean);
      if (!typed.length) return;
      var all = names();
      var seen = all.map(key);
      typed.forEach(function (name) {
        if (seen.indexOf(key(name)) === -1) { all.push(name); seen.push(key(name)); }
      });
      field.value = all.join(", ");
      entry.value = "";
      render();
    }
    entry.addEventListener("keydown", function (event) {
      if (event.isComposing) return; // Japanese IME: Enter confirms the conversion, not the tag
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault();
        commit();
      } else if (event.key === "Backspace" && !entry.value) {
        var all = names();
        all.pop();
        field.value = all.join(", ");
        render();
      }
    });
    entry.addEventListener("input", function () {
      if (SEPARATORS.test(entry.value)) commit();
    });
    entry.addEventListener("blur", commit);
    if (field.form) field.form.addEventListener("submit", commit);
    render();
  });
})();
