// Station screen: a measurement says in or out of spec while it is typed, from the limits the
// server put on the field (data-lsl, data-usl); the server judges it again when it is recorded.
(function () {
  "use strict";
  function judge(input) {
    var out = document.getElementById(input.getAttribute("aria-describedby"));
    if (!out) { return; }
    var text = input.value.trim().replace(",", ".");
    out.classList.remove("in-spec", "out-of-spec");
    if (text === "") { out.textContent = ""; return; }
    var value = Number(text);
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
