// The drawing's page: drag to pan, zoom with the wheel, the buttons or the
// keys + - 0, and click a node for its details. Inlined in the page, which
// loads nothing.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var graph = document.getElementById("graph");
  var stage = document.getElementById("stage");
  var level = document.getElementById("zoom-level");
  var hint = document.getElementById("hint");
  var svg = stage.querySelector("svg");
  var width = svg.width.baseVal.value;
  var height = svg.height.baseVal.value;
  var view = { x: 0, y: 0, k: 1 };
  // Whether the person moved the view; until then a resize fits it again.
  var moved = false;

  function show() {
    stage.style.transform =
      "translate(" + view.x + "px, " + view.y + "px) scale(" + view.k + ")";
    level.textContent = Math.round(view.k * 100) + " %";
  }

  function fit() {
    var box = graph.getBoundingClientRect();
    var k = Math.min(1, (box.width - 32) / width, (box.height - 32) / height);
    k = Math.max(k, 0.1);
    view = {
      x: (box.width - width * k) / 2,
      y: Math.max(16, (box.height - height * k) / 2),
      k: k,
    };
    moved = false;
    show();
  }

  // Scales by `factor` around the point (x, y) of the graph's box.
  function zoom(factor, x, y) {
    var k = Math.min(8, Math.max(0.1, view.k * factor));
    var f = k / view.k;
    view = { x: x - (x - view.x) * f, y: y - (y - view.y) * f, k: k };
    moved = true;
    show();
  }

  function zoomCenter(factor) {
    var box = graph.getBoundingClientRect();
    zoom(factor, box.width / 2, box.height / 2);
  }

  function pan(dx, dy) {
    view.x += dx;
    view.y += dy;
    moved = true;
    show();
  }

  // Shows the details of the node `id` (`s0`, `e3`), or none for "".
  function select(id) {
    var sections = document.querySelectorAll(".details section");
    for (var i = 0; i < sections.length; i++) {
      sections[i].classList.toggle("shown", sections[i].dataset.for === id);
    }
    hint.classList.toggle("hidden", id !== "");
    var nodes = svg.querySelectorAll("[data-node]");
    for (var j = 0; j < nodes.length; j++) {
      nodes[j].classList.toggle("selected", nodes[j].dataset.node === id);
    }
    var edges = svg.querySelectorAll("[data-from]");
    for (var n = 0; n < edges.length; n++) {
      var edge = edges[n];
      var linked = id !== "" && (edge.dataset.from === id || edge.dataset.to === id);
      edge.classList.toggle("linked", linked);
    }
  }

  graph.addEventListener(
    "wheel",
    function (event) {
      event.preventDefault();
      var box = graph.getBoundingClientRect();
      var delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      zoom(Math.exp(-delta * 0.002), event.clientX - box.left, event.clientY - box.top);
    },
    { passive: false }
  );

  // A press that moves more than a few pixels pans, and is no click.
  var drag = null;
  var dragged = false;
  graph.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || event.target.closest(".tools")) {
      return;
    }
    drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moving: false };
    dragged = false;
  });
  graph.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) {
      return;
    }
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.moving && Math.abs(dx) + Math.abs(dy) < 4) {
      return;
    }
    if (!drag.moving) {
      drag.moving = true;
      try {
        graph.setPointerCapture(event.pointerId);
      } catch (notActive) {
        // A pointer the browser does not track (a made-up one) is not
        // captured; the drag goes on while it stays over the drawing.
      }
      graph.classList.add("dragging");
    }
    drag.x = event.clientX;
    drag.y = event.clientY;
    pan(dx, dy);
  });
  function release(event) {
    if (drag && event.pointerId === drag.id) {
      dragged = drag.moving;
      drag = null;
      graph.classList.remove("dragging");
    }
  }
  graph.addEventListener("pointerup", release);
  graph.addEventListener("pointercancel", release);

  graph.addEventListener("click", function (event) {
    if (dragged) {
      dragged = false;
      return;
    }
    if (event.target.closest(".tools")) {
      return;
    }
    var node = event.target.closest("[data-node]");
    select(node ? node.dataset.node : "");
  });
  graph.addEventListener("keydown", function (event) {
    var keys = {
      "+": function () { zoomCenter(1.25); },
      "=": function () { zoomCenter(1.25); },
      "-": function () { zoomCenter(0.8); },
      "0": fit,
      ArrowLeft: function () { pan(40, 0); },
      ArrowRight: function () { pan(-40, 0); },
      ArrowUp: function () { pan(0, 40); },
      ArrowDown: function () { pan(0, -40); },
      Escape: function () { select(""); },
      Enter: function () {
        var node = document.activeElement.closest("[data-node]");
        if (node) {
          select(node.dataset.node);
        }
      },
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  // Nodes are reached with Tab, and opened with Enter.
  var nodes = svg.querySelectorAll("[data-node]");
  for (var i = 0; i < nodes.length; i++) {
    nodes[i].setAttribute("tabindex", "0");
  }

  document.getElementById("zoom-in").addEventListener("click", function () {
    zoomCenter(1.25);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    zoomCenter(0.8);
  });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.querySelector(".details").addEventListener("click", function (event) {
    var link = event.target.closest("[data-select]");
    if (link) {
      select(link.dataset.select);
    }
  });
  window.addEventListener("resize", function () {
    if (!moved) {
      fit();
    }
  });
  fit();
})();
