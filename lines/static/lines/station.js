// Station screen: a measurement says in or out of spec while it is typed, from the limits the
// server put on the field (data-lsl, data-usl); the server judges it again when it is recorded.
(function () {
  "use strict";
  var PLAIN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/;
  function judge(input) {
    // The verdict is the <output> for this field (aria-describedby may name more than it).
    var out = document.querySelector('output[for="' + input.id + '"]');
    if (!out) { return; }
    var text = input.value.trim();
    out.classList.remove("in-spec", "out-of-spec");
    if (text === "") { out.textContent = ""; return; }
    // As the server reads it (mes/numbers.py): '.' decimal point, no digit grouping, so "8,000"
    // and "300,1" are not numbers here either, never 8 or 300.1.
    var value = PLAIN.test(text) ? Number(text) : NaN;
    var lsl = input.dataset.lsl === "" ? null : Number(input.dataset.lsl);
    var usl = input.dataset.usl === "" ? null : Number(input.dataset.usl);
    if (!isFinite(value)) {
      out.textContent = out.dataset.nan; out.classList.add("out-of-spec");
    } else if (lsl !== null && value < lsl) {
      out.textContent = out.dataset.below + " " + input.dataset.lsl; out.classList.add("out-of-spec");
    } else if (usl !== null && value > usl) {
      out.textContent = out.dataset.above + " " + input.dataset.usl; out.classList.add("out-of-spec");
    } else {
      out.textContent = out.dataset.in; out.classList.add("in-spec");
    }
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-measure]")) { judge(e.target); }
  });
})();
