// Shared behaviour of every screen: the offline banner, language change on select, and focus
// back on the screen's scan field after every partial update (a barcode scanner types into
// whatever has focus).
(function () {
  "use strict";
  function banner(offline) {
    var el = document.getElementById("offline-banner");
    if (el) { el.hidden = !offline; }
    document.body.classList.toggle("is-offline", offline);
  }
  window.addEventListener("offline", function () { banner(true); });
  window.addEventListener("online", function () { banner(false); });
  document.addEventListener("htmx:sendError", function () { banner(true); });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail && e.detail.xhr && e.detail.xhr.status) { banner(false); }
  });
  function refocus() {
    var field = document.querySelector("[data-scan-field]") || document.querySelector("[autofocus]");
    if (field && document.activeElement !== field && !field.disabled) { field.focus(); }
  }
  // On afterSwap, not afterSettle: the swap and this run in one task, so a field the operator
  // taps in the settle delay (20 ms) is not then taken from them.
  document.addEventListener("htmx:afterSwap", function (e) {
    // A panel that refreshes itself (live values; marked data-passive) must not pull the focus
    // away from a field the operator is typing in.
    if (e.target && e.target.closest && e.target.closest("[data-passive]")) { return; }
    refocus();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-submit-on-change]").forEach(function (el) {
      el.addEventListener("change", function () {
        // Back to the address as it is now (htmx may have pushed one, e.g. the scanned unit).
        var next = el.form.querySelector("input[name=next]");
        if (next) { next.value = window.location.pathname + window.location.search; }
        el.form.submit();
      });
    });
    if (!navigator.onLine) { banner(true); }
  });
})();
