// Links to the sign-in page in our emails carry the address after "#" (/me/signin/#email=...).
// A fragment never reaches the server, so no access log holds it, and browsers never put it in
// a Referer. The script fills the field, then takes the fragment out of the address bar so it
// is kept in neither the history nor a screenshot. Without JavaScript the field is just empty.
(function () {
  var match = /(?:^#|&)email=([^&]*)/.exec(window.location.hash);
  if (!match) return;
  var input = document.getElementById("id_email");
  try {
    if (input && !input.value) input.value = decodeURIComponent(match[1]);
  } catch (malformed) {
    // A cut-off link: leave the field for the person to type.
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
})();
