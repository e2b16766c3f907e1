// Pan and zoom of a picture drawn at its natural size (the genealogy graph): the page never
// scales it below legible (MIN_SCALE keeps 14 px text at 12 px or more). Touch pans with the
// native scroll of the viewport; a mouse drags; Ctrl + wheel and the buttons zoom; "Fit" shows
// as much as fits without going below MIN_SCALE. Without JavaScript the picture scrolls at 1:1.
(function () {
  "use strict";
  var MIN_SCALE = 12 / 14, MAX_SCALE = 3, STEP = 1.25, DRAG_SLOP = 4;

  function setup(view) {
    var svg = view.querySelector("svg");
    if (!svg) { return; }
    var natural = { w: +svg.dataset.width, h: +svg.dataset.height };
    var scale = 1, output = view.parentElement.querySelector("[data-zoom-level]");

    function apply(next, anchor) {
      var clamped = Math.min(MAX_SCALE, Math.max(MIN_SCALE, next));
      var a = anchor || { x: view.clientWidth / 2, y: view.clientHeight / 2 };
      var cx = (view.scrollLeft + a.x) / scale, cy = (view.scrollTop + a.y) / scale;
      scale = clamped;
      svg.setAttribute("width", String(Math.ceil(natural.w * scale)));
      svg.setAttribute("height", String(Math.ceil(natural.h * scale)));
      view.scrollLeft = cx * scale - a.x;
      view.scrollTop = cy * scale - a.y;
      view.dataset.scale = scale.toFixed(3);
      if (output) { output.textContent = Math.round(scale * 100) + " %"; }
    }
    function fit() {
      apply(Math.min(1, view.clientWidth / natural.w, view.clientHeight / natural.h));
      view.scrollLeft = 0;
      view.scrollTop = 0;
    }
    view.parentElement.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "in") { apply(scale * STEP); }
        else if (how === "out") { apply(scale / STEP); }
        else if (how === "fit") { fit(); }
        else { apply(1); }
      });
    });
    view.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) { return; }
      e.preventDefault();
      var box = view.getBoundingClientRect();
      apply(scale * (e.deltaY < 0 ? STEP : 1 / STEP), { x: e.clientX - box.left, y: e.clientY - box.top });
    }, { passive: false });

    var drag = null;
    view.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "mouse" || e.button !== 0) { return; }
      drag = { x: e.clientX, y: e.clientY, left: view.scrollLeft, top: view.scrollTop, moved: false };
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > DRAG_SLOP) { drag.moved = true; view.classList.add("is-panning"); }
      view.scrollLeft = drag.left - dx;
      view.scrollTop = drag.top - dy;
    });
    window.addEventListener("pointerup", function () {
      view.classList.remove("is-panning");
      if (drag && drag.moved) {
        // A drag that ends on a box is a pan, not a click on the box's link.
        view.addEventListener("click", function stop(ev) { ev.preventDefault(); ev.stopPropagation(); }, { capture: true, once: true });
      }
      drag = null;
    });
    fit();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-graph-view]").forEach(setup);
  });
})();
