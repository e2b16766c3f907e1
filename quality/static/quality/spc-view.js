// A control chart's markers on a tablet: a tap (or Enter on a focused marker) shows the point's
// time, value and rules under the chart, which a hover tooltip cannot do on touch. Delegated
// from the document: htmx replaces the chart every few seconds.
(function () {
  "use strict";
  function show(marker) {
    var card = marker.closest(".card");
    var out = card && card.querySelector("[data-spc-detail]");
    if (out) { out.textContent = marker.getAttribute("data-detail"); }
  }
  document.addEventListener("click", function (e) {
    var marker = e.target.closest && e.target.closest("circle.marked[data-detail]");
    if (marker) { show(marker); }
  });
  document.addEventListener("focusin", function (e) {
    var marker = e.target.closest && e.target.closest("circle.marked[data-detail]");
    if (marker) { show(marker); }
  });
})();
