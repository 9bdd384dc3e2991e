// Works the drawing's page as a person would, once its own script has run,
// and writes what it saw into <pre id="probe"> as JSON for the test to read
// from the DOM that Chromium dumps. The step to open is the page's
// `data-probe-step` attribute on <html>; the event is that step's first
// link in its details.
(function () {
  "use strict";
  var seen = {};
  var graph = document.getElementById("graph");
  var stage = document.getElementById("stage");
  var level = document.getElementById("zoom-level");
  var transform = function () {
    return stage.style.transform;
  };
  var pointer = function (type, target, x, y) {
    target.dispatchEvent(
      new PointerEvent(type, {
        pointerId: 7,
        isPrimary: true,
        button: 0,
        clientX: x,
        clientY: y,
        bubbles: true,
      })
    );
  };
  // A click as the browser makes one: pressed and released in place.
  var click = function (target) {
    var box = target.getBoundingClientRect();
    var x = box.left + box.width / 2;
    var y = box.top + box.height / 2;
    pointer("pointerdown", target, x, y);
    pointer("pointerup", target, x, y);
    target.dispatchEvent(
      new MouseEvent("click", { clientX: x, clientY: y, bubbles: true })
    );
  };
  var shown = function () {
    var section = document.querySelector(".details section.shown");
    if (!section || getComputedStyle(section).display === "none") {
      return null;
    }
    return { node: section.dataset.for, text: section.innerText };
  };

  seen.fitted = transform();
  seen.fittedLevel = level.textContent;
  seen.shownAtFirst = shown();
  seen.hintAtFirst = getComputedStyle(document.getElementById("hint")).display;

  document.getElementById("zoom-in").click();
  seen.zoomedIn = transform();
  seen.zoomedInLevel = level.textContent;

  var box = graph.getBoundingClientRect();
  graph.dispatchEvent(
    new WheelEvent("wheel", {
      deltaY: -240,
      clientX: box.left + 100,
      clientY: box.top + 100,
      bubbles: true,
      cancelable: true,
    })
  );
  seen.wheeled = transform();

  pointer("pointerdown", graph, box.left + 300, box.top + 300);
  pointer("pointermove", graph, box.left + 340, box.top + 330);
  pointer("pointermove", graph, box.left + 360, box.top + 350);
  pointer("pointerup", graph, box.left + 360, box.top + 350);
  seen.dragged = transform();

  document.getElementById("zoom-fit").click();
  seen.refitted = transform();

  var step = document.querySelector(
    '[data-node="' + document.documentElement.dataset.probeStep + '"]'
  );
  click(step);
  seen.step = shown();
  seen.stepSelected = step.classList.contains("selected");
  seen.linkedEdges = document.querySelectorAll("[data-from].linked").length;
  seen.hintAfter = getComputedStyle(document.getElementById("hint")).display;

  var link = document.querySelector(".details section.shown [data-select^='e']");
  link.click();
  seen.event = shown();

  click(step);

  var out = document.createElement("pre");
  out.id = "probe";
  out.hidden = true;
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
})();
