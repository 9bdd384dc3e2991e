// The debugger page: lists the workflows and their runs, draws the
// selected workflow's graph, starts runs from the start event's schema,
// follows a run's events live (fetch and a ReadableStream, so that the
// token goes along), lights the graph up with the path the run takes, and
// answers and cancels runs. It talks to this server's routes only.
(function () {
  "use strict";

  var TOKEN_KEY = "typed-workflows.token";
  var REFRESH_MS = 2000;
  var SVG_NS = "http://www.w3.org/2000/svg";

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function delay(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  var state = {
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    workflows: [],
    // The selected workflow's name, and what the server says of it.
    workflow: null,
    graph: null,
    schema: null,
    startMode: "fields",
    runs: [],
    // The run shown on the right, followed live.
    run: null,
    authBlocked: false,
  };

  // ---------------------------------------------------------------- server

  function ApiError(status, detail) {
    this.status = status;
    this.detail = detail;
    this.message = status ? status + ": " + detail : detail;
  }

  function headers(extra) {
    var out = extra || {};
    if (state.token) {
      out.Authorization = "Bearer " + state.token;
    }
    return out;
  }

  function detailOf(data, res) {
    if (data && typeof data === "object" && data.detail !== undefined) {
      return typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail);
    }
    if (typeof data === "string" && data.trim()) {
      return data.trim();
    }
    return res.statusText || "request failed";
  }

  // Calls the server; answers {status, data}, or throws an ApiError with
  // the server's `detail`. With `record`, a handler record in an error
  // answer (a failed or cancelled run's 500) is an answer.
  async function api(method, path, body, options) {
    options = options || {};
    var init = { method: method, headers: headers() };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(path, init);
    } catch (error) {
      setConn("down", "server unreachable");
      throw new ApiError(0, "The server cannot be reached: " + error.message);
    }
    var text = await res.text();
    var data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (notJson) {
        data = text;
      }
    }
    if (res.status === 401) {
      authNeeded(detailOf(data, res));
      throw new ApiError(401, detailOf(data, res));
    }
    authOk();
    if (!res.ok && !(options.record && data && data.handler_id)) {
      throw new ApiError(res.status, detailOf(data, res));
    }
    return { status: res.status, data: data };
  }

  // ------------------------------------------------- connection, token, errors

  function setConn(kind, text) {
    $("conn").className = "conn " + kind;
    $("conn-text").textContent = text;
  }

  function authNeeded(detail) {
    state.authBlocked = true;
    setConn("auth", "token needed");
    $("token").classList.add("attention");
    var said = state.token
      ? "401 Unauthorized: the server refused the token given."
      : "401 Unauthorized: this server needs a token.";
    showBanner(said + " Enter it in the Token field at the top right.\nThe server said: " + detail, "auth");
  }

  function authOk() {
    if (state.authBlocked) {
      state.authBlocked = false;
      $("token").classList.remove("attention");
      if ($("banner").classList.contains("auth")) {
        hideBanner();
      }
    }
    setConn("ok", "connected to " + location.host);
  }

  function showBanner(text, kind) {
    $("banner").className = "banner" + (kind ? " " + kind : "");
    $("banner-text").textContent = text;
    $("banner").hidden = false;
  }

  function hideBanner() {
    $("banner").hidden = true;
  }

  // Shows `error` in the banner, unless it is a 401, which has said so.
  function report(what, error) {
    if (error && error.status === 401) {
      return;
    }
    showBanner(what + ": " + (error && error.message ? error.message : String(error)));
  }

  // --------------------------------------------------------------- workflows

  async function loadWorkflows() {
    var list = $("workflows");
    try {
      var answer = await api("GET", "/workflows");
      state.workflows = (answer.data && answer.data.workflows) || [];
    } catch (error) {
      list.replaceChildren(el("li", "empty", error.status === 401 ? "Needs the token." : "Could not load."));
      report("Listing the workflows", error);
      return false;
    }
    renderWorkflows();
    return true;
  }

  function renderWorkflows() {
    var list = $("workflows");
    list.replaceChildren();
    if (!state.workflows.length) {
      list.appendChild(el("li", "empty", "This server serves no workflow."));
      return;
    }
    state.workflows.forEach(function (name) {
      var runs = state.runs.filter(function (run) {
        return run.workflow_name === name;
      });
      var live = runs.filter(function (run) {
        return run.status === "running";
      }).length;
      var button = el("button", "wf-item" + (name === state.workflow ? " selected" : ""));
      button.type = "button";
      button.dataset.name = name;
      button.appendChild(el("span", "wf-name", name));
      var count = live ? live + " running" : runs.length ? runs.length + (runs.length === 1 ? " run" : " runs") : "";
      button.appendChild(el("span", "wf-count" + (live ? " live" : ""), count));
      button.addEventListener("click", function () {
        selectWorkflow(name, true);
      });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  // Selects the workflow `name`: its graph and start form; a run of
  // another workflow is let go of, unless `keepRun`.
  async function selectWorkflow(name, userChose, keepRun) {
    if (state.run && state.run.workflow !== name && !keepRun) {
      dropRun();
    }
    var changed = state.workflow !== name;
    state.workflow = name;
    renderWorkflows();
    renderRuns();
    if (userChose) {
      writeHash();
    }
    $("wf-title").textContent = name;
    if (!changed && state.graph && state.graph.name === name) {
      return;
    }
    state.graph = null;
    state.schema = null;
    $("wf-summary").textContent = "";
    $("graph").replaceChildren(el("p", "empty", "Loading the graph…"));
    $("start-form").hidden = true;
    var results = await Promise.allSettled([
      api("GET", "/workflows/" + encodeURIComponent(name) + "/graph"),
      api("GET", "/workflows/" + encodeURIComponent(name) + "/schema"),
    ]);
    if (state.workflow !== name) {
      return;
    }
    if (results[0].status === "fulfilled") {
      state.graph = results[0].value.data;
      state.graph.name = name;
      renderGraph();
    } else {
      var why = results[0].reason;
      $("graph").replaceChildren(el("p", "error-text", "The graph could not be loaded: " + why.message));
      report("Loading the graph of " + name, why);
    }
    if (results[1].status === "fulfilled") {
      state.schema = results[1].value.data;
      state.startMode = "fields";
      renderStartForm();
    } else {
      report("Loading the schema of " + name, results[1].reason);
    }
  }

  // ------------------------------------------------------------------- graph

  function renderGraph() {
    var graph = state.graph;
    var box = $("graph");
    box.innerHTML = graph.svg;
    var svg = box.querySelector("svg");
    if (!svg) {
      box.replaceChildren(el("p", "error-text", "The server's drawing has no SVG."));
      return;
    }
    fitGraph();
    var steps = Object.keys(graph.steps || {}).length;
    var events = Object.keys(graph.events || {}).length;
    $("wf-summary").textContent =
      steps + (steps === 1 ? " step" : " steps") + " · " + events + (events === 1 ? " event" : " events");
    paintGraph();
  }

  // Scales the drawing down to fit its box, never up.
  function fitGraph() {
    var box = $("graph");
    var svg = box.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) {
      return;
    }
    var natural = svg.viewBox.baseVal;
    if (!natural.width || !natural.height) {
      return;
    }
    var room = { width: box.clientWidth - 32, height: box.clientHeight - 32 };
    var scale = Math.min(1, room.width / natural.width, room.height / natural.height);
    scale = Math.max(scale, 0.45);
    svg.setAttribute("width", String(Math.round(natural.width * scale)));
    svg.setAttribute("height", String(Math.round(natural.height * scale)));
  }

  // The kind of the event node named `name` in the drawing (`start`,
  // `input`, `event`, `stop`, `stream`), if it has one.
  function eventKind(name) {
    if (!state.graph || !state.graph.events || !(name in state.graph.events)) {
      return null;
    }
    var node = $("graph").querySelector('[data-node="' + state.graph.events[name] + '"]');
    if (!node) {
      return null;
    }
    var kinds = ["start", "input", "stop", "stream", "event"];
    for (var i = 0; i < kinds.length; i++) {
      if (node.classList.contains(kinds[i])) {
        return kinds[i];
      }
    }
    return null;
  }

  // What a step looks like in the run: running, waiting, failed,
  // finished, halted (it was running when the run ended), or "".
  function stepState(run, name) {
    var step = run.steps[name];
    if (!step) {
      return "";
    }
    var ended = run.record && run.record.status !== "running";
    if (step.running > 0) {
      if (ended) {
        return "halted";
      }
      return run.waiting.indexOf(name) >= 0 ? "waiting" : "running";
    }
    if (step.last === "failed") {
      return "failed";
    }
    return step.finished > 0 ? "finished" : "";
  }

  var BADGES = {
    running: { color: "#1a73e8", path: "M-2.5 -4 L4 0 L-2.5 4 Z", fill: true },
    waiting: { color: "#e37400", path: "M-2 -3.8 V3.8 M2 -3.8 V3.8" },
    finished: { color: "#188038", path: "M-4 0.2 L-1.2 3 L4 -2.8" },
    failed: { color: "#d93025", path: "M-3.2 -3.2 L3.2 3.2 M3.2 -3.2 L-3.2 3.2" },
    halted: { color: "#80868b", path: "M-3 -3 H3 V3 H-3 Z", fill: true },
  };

  // Marks the drawing with what the followed run did, if it is a run of
  // the drawn workflow.
  function paintGraph() {
    var svg = $("graph").querySelector("svg");
    if (!svg || !state.graph) {
      return;
    }
    var run = state.run && state.run.workflow === state.graph.name ? state.run : null;
    svg.classList.toggle("traced", !!run);
    svg.querySelectorAll(".run-badge").forEach(function (badge) {
      badge.remove();
    });
    var steps = state.graph.steps || {};
    Object.keys(steps).forEach(function (name) {
      var node = svg.querySelector('[data-node="' + steps[name] + '"]');
      if (!node) {
        return;
      }
      var look = run ? stepState(run, name) : "";
      if (look) {
        node.setAttribute("data-state", look);
        addBadge(node, look, run.steps[name]);
      } else {
        node.removeAttribute("data-state");
      }
    });
    var events = state.graph.events || {};
    Object.keys(events).forEach(function (name) {
      var node = svg.querySelector('[data-node="' + events[name] + '"]');
      if (!node) {
        return;
      }
      if (run && run.seen[name]) {
        node.setAttribute("data-state", "seen");
      } else {
        node.removeAttribute("data-state");
      }
    });
    // The events a waiting step waits for, and the edges they come by.
    var awaited = {};
    if (run) {
      Object.keys(steps).forEach(function (name) {
        if (stepState(run, name) === "waiting") {
          awaited[steps[name]] = true;
        }
      });
    }
    svg.querySelectorAll('g[data-kind="waits"]').forEach(function (edge) {
      var waiting = !!awaited[edge.getAttribute("data-to")];
      edge.classList.toggle("awaited", waiting);
      var from = svg.querySelector('[data-node="' + edge.getAttribute("data-from") + '"]');
      if (waiting && from && !from.hasAttribute("data-state")) {
        from.setAttribute("data-state", "awaited");
      }
    });
    var names = {};
    Object.keys(steps).forEach(function (name) {
      names[steps[name]] = "s:" + name;
    });
    Object.keys(events).forEach(function (name) {
      names[events[name]] = "e:" + name;
    });
    svg.querySelectorAll("g[data-from]").forEach(function (edge) {
      var key = names[edge.getAttribute("data-from")] + ">" + names[edge.getAttribute("data-to")];
      edge.classList.toggle("taken", !!(run && run.taken[key]));
    });
    var caption = "";
    if (run) {
      caption = "showing run …" + run.id.slice(-8);
    }
    $("graph-caption").textContent = caption;
  }

  function addBadge(node, look, step) {
    var rect = node.querySelector("rect");
    var badge = BADGES[look];
    if (!rect || !badge) {
      return;
    }
    var x = parseFloat(rect.getAttribute("x")) + parseFloat(rect.getAttribute("width"));
    var y = parseFloat(rect.getAttribute("y"));
    var group = svgEl("g", { class: "run-badge", transform: "translate(" + x + " " + y + ")" });
    group.appendChild(svgEl("circle", { r: "9.5", fill: badge.color, stroke: "#fff", "stroke-width": "2" }));
    group.appendChild(
      svgEl("path", {
        d: badge.path,
        fill: badge.fill ? "#fff" : "none",
        stroke: "#fff",
        "stroke-width": badge.fill ? "1" : "2",
        "stroke-linecap": "round",
        "stroke-linejoin": "round",
      })
    );
    var times = step.finished + step.failed;
    if (times > 1) {
      var label = svgEl("text", {
        x: "13",
        y: "1",
        "dominant-baseline": "central",
        "font-size": "11",
        "font-weight": "bold",
        fill: badge.color,
      });
      label.textContent = "×" + times;
      group.appendChild(label);
    }
    node.appendChild(group);
  }

  // -------------------------------------------------------------- start form

  function startSchema() {
    return state.schema && state.schema.start && typeof state.schema.start === "object" ? state.schema.start : {};
  }

  function properties(schema) {
    return schema.properties && typeof schema.properties === "object" ? schema.properties : {};
  }

  // The type a property's schema names: string, integer, number, boolean,
  // array, object, or "" for any JSON.
  function typeOf(schema) {
    if (!schema || typeof schema !== "object") {
      return "";
    }
    if (typeof schema.type === "string") {
      return schema.type;
    }
    if (Array.isArray(schema.anyOf)) {
      var kinds = schema.anyOf.map(typeOf).filter(function (kind) {
        return kind && kind !== "null";
      });
      return kinds.length === 1 ? kinds[0] : "";
    }
    return "";
  }

  function isOptional(schema) {
    return (
      !!schema &&
      Array.isArray(schema.anyOf) &&
      schema.anyOf.some(function (option) {
        return option && option.type === "null";
      })
    );
  }

  function renderStartForm() {
    var form = $("start-form");
    var schema = startSchema();
    var props = properties(schema);
    var names = Object.keys(props);
    form.hidden = false;
    $("start-title").textContent = "Start a run";
    $("start-event").textContent = schema.title ? "start event: " + schema.title : "";
    $("start-error").textContent = "";
    form.querySelectorAll(".mode").forEach(function (button) {
      button.classList.toggle("active", button.dataset.mode === state.startMode);
      button.setAttribute("aria-selected", button.dataset.mode === state.startMode ? "true" : "false");
    });
    var fields = $("start-fields");
    fields.replaceChildren();
    if (state.startMode === "json") {
      $("start-hint").textContent = "The start event's value, as a JSON object.";
      var area = el("textarea", "mono");
      area.id = "start-json";
      area.spellcheck = false;
      area.value = JSON.stringify(state.pendingStart || {}, null, 2);
      fields.appendChild(area);
      return;
    }
    if (names.length) {
      $("start-hint").textContent = schema.description || "";
      var required = Array.isArray(schema.required) ? schema.required : [];
      var given = state.pendingStart || {};
      names.forEach(function (name) {
        fields.appendChild(fieldRow(name, props[name], required.indexOf(name) >= 0, given[name]));
      });
    } else {
      $("start-hint").textContent =
        (schema.additionalProperties === false ? "This start event takes no values." : (schema.description || "The start event takes any values.") +
          " A value is read as JSON when it is JSON (41, true, [1, 2], \"text\"), as text otherwise.");
      var values = state.pendingStart || {};
      var keys = Object.keys(values);
      if (schema.additionalProperties !== false) {
        if (!keys.length) {
          fields.appendChild(kvRow("", ""));
        }
        keys.forEach(function (key) {
          var value = values[key];
          fields.appendChild(kvRow(key, typeof value === "string" ? value : JSON.stringify(value)));
        });
        var add = el("button", "small", "+ Add a value");
        add.type = "button";
        add.id = "start-add";
        add.addEventListener("click", function () {
          fields.insertBefore(kvRow("", ""), add);
        });
        fields.appendChild(add);
      }
    }
    state.pendingStart = null;
  }

  function kvRow(key, value) {
    var row = el("div", "kv-row");
    var name = el("input", "mono kv-key");
    name.type = "text";
    name.placeholder = "name";
    name.value = key;
    name.setAttribute("aria-label", "name");
    var text = el("input", "mono kv-value");
    text.type = "text";
    text.placeholder = "value";
    text.value = value;
    text.setAttribute("aria-label", "value");
    var remove = el("button", "small quiet remove", "×");
    remove.type = "button";
    remove.title = "Remove";
    remove.addEventListener("click", function () {
      row.remove();
    });
    row.append(name, text, remove);
    return row;
  }

  function fieldRow(name, schema, required, given) {
    var kind = typeOf(schema);
    var row = el("div", "field-row");
    row.dataset.name = name;
    row.dataset.kind = kind;
    row.dataset.required = required ? "true" : "false";
    var label = el("label");
    label.htmlFor = "start-field-" + name;
    label.appendChild(document.createTextNode(name));
    if (required && !isOptional(schema)) {
      label.appendChild(el("span", "req", " *"));
    }
    var described = kind || "JSON";
    if (schema && schema.description && !kind) {
      described = schema.description;
    }
    label.appendChild(el("span", "type", described));
    var input;
    if (kind === "boolean") {
      input = el("input");
      input.type = "checkbox";
    } else if (kind === "integer" || kind === "number") {
      input = el("input", "mono");
      input.type = "number";
      input.step = kind === "integer" ? "1" : "any";
      if (schema && typeof schema.minimum === "number") {
        input.min = String(schema.minimum);
      }
    } else {
      input = el("input", kind === "string" ? "" : "mono");
      input.type = "text";
      input.placeholder = kind === "string" ? "" : kind === "array" ? "[ … ] as JSON" : kind === "object" ? "{ … } as JSON" : "JSON, or text";
    }
    input.id = "start-field-" + name;
    input.className += " field";
    if (given !== undefined && given !== null) {
      if (kind === "boolean") {
        input.checked = given === true;
      } else {
        input.value = typeof given === "string" && kind !== "array" && kind !== "object" ? given : JSON.stringify(given);
      }
    }
    row.append(label, input);
    return row;
  }

  // A text typed into a value box: JSON if it parses, text otherwise.
  function looseValue(text) {
    var trimmed = text.trim();
    if (trimmed === "") {
      return "";
    }
    try {
      return JSON.parse(trimmed);
    } catch (notJson) {
      return text;
    }
  }

  // The start event's value the form holds; throws a message if it is not
  // one.
  function startValue() {
    if (state.startMode === "json") {
      var text = $("start-json").value.trim();
      if (!text) {
        return {};
      }
      var parsed;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw "The start event is not JSON: " + error.message;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw "The start event must be a JSON object.";
      }
      return parsed;
    }
    var value = {};
    var fields = $("start-fields");
    fields.querySelectorAll(".kv-row").forEach(function (row) {
      var key = row.querySelector(".kv-key").value.trim();
      var text = row.querySelector(".kv-value").value;
      if (!key && !text.trim()) {
        return;
      }
      if (!key) {
        throw "A value has no name.";
      }
      value[key] = looseValue(text);
    });
    fields.querySelectorAll(".field-row").forEach(function (row) {
      var name = row.dataset.name;
      var kind = row.dataset.kind;
      var input = row.querySelector(".field");
      if (kind === "boolean") {
        value[name] = input.checked;
        return;
      }
      var text = input.value;
      if (text.trim() === "") {
        if (row.dataset.required === "true" && kind !== "string") {
          throw "`" + name + "` is required.";
        }
        if (kind === "string" && row.dataset.required === "true") {
          value[name] = "";
        }
        return;
      }
      if (kind === "integer") {
        var whole = Number(text);
        if (!Number.isInteger(whole)) {
          throw "`" + name + "` must be a whole number.";
        }
        value[name] = whole;
      } else if (kind === "number") {
        var number = Number(text);
        if (!Number.isFinite(number)) {
          throw "`" + name + "` must be a number.";
        }
        value[name] = number;
      } else if (kind === "string") {
        value[name] = text;
      } else if (kind === "array" || kind === "object") {
        try {
          value[name] = JSON.parse(text);
        } catch (error) {
          throw "`" + name + "` must be JSON: " + error.message;
        }
      } else {
        value[name] = looseValue(text);
      }
    });
    return value;
  }

  async function startRun(event) {
    event.preventDefault();
    var name = state.workflow;
    var error = $("start-error");
    error.textContent = "";
    var value;
    try {
      value = startValue();
    } catch (message) {
      error.textContent = String(message);
      return;
    }
    var button = $("start-button");
    button.disabled = true;
    try {
      var answer = await api("POST", "/workflows/" + encodeURIComponent(name) + "/run-nowait", {
        start_event: value,
      });
      var record = answer.data;
      upsertRun(record);
      renderRuns();
      renderWorkflows();
      followRun(record.handler_id, record);
      refreshRuns();
    } catch (failure) {
      error.textContent = "The run did not start: " + failure.message;
    } finally {
      button.disabled = false;
    }
  }

  function switchMode(mode) {
    if (mode === state.startMode) {
      return;
    }
    var value;
    try {
      value = startValue();
    } catch (message) {
      $("start-error").textContent = String(message);
      return;
    }
    state.pendingStart = value;
    state.startMode = mode;
    renderStartForm();
  }

  // -------------------------------------------------------------------- runs

  async function refreshRuns() {
    try {
      var answer = await api("GET", "/handlers");
      state.runs = (answer.data && answer.data.handlers) || [];
    } catch (error) {
      report("Listing the runs", error);
      return;
    }
    renderRuns();
    renderWorkflows();
    var run = state.run;
    if (run && run.record) {
      var listed = state.runs.find(function (record) {
        return record.handler_id === run.id;
      });
      if (listed && listed.status !== run.record.status) {
        loadRecord(run);
      }
    }
  }

  function upsertRun(record) {
    var index = state.runs.findIndex(function (known) {
      return known.handler_id === record.handler_id;
    });
    if (index >= 0) {
      state.runs[index] = record;
    } else {
      state.runs.push(record);
    }
  }

  function clock(stamp) {
    if (!stamp) {
      return "";
    }
    var date = new Date(stamp);
    if (isNaN(date.getTime())) {
      return stamp;
    }
    var today = new Date().toDateString() === date.toDateString();
    var time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return today ? time : date.toLocaleDateString() + " " + time;
  }

  function statusWord(record, run) {
    if (!record) {
      return "unknown";
    }
    if (record.status === "running" && run && inputWanted(run)) {
      return "waiting";
    }
    return record.status;
  }

  function badge(word) {
    var text = word === "waiting" ? "needs input" : word;
    return el("span", "badge " + word, text);
  }

  function renderRuns() {
    var all = $("all-runs").checked;
    var shown = state.runs
      .filter(function (record) {
        return all || record.workflow_name === state.workflow;
      })
      .slice()
      .sort(function (a, b) {
        return (b.started_at || "").localeCompare(a.started_at || "");
      });
    var list = $("runs");
    list.replaceChildren();
    shown.forEach(function (record) {
      var followed = state.run && state.run.id === record.handler_id ? state.run : null;
      var button = el("button", "run-item" + (followed ? " selected" : ""));
      button.type = "button";
      button.dataset.id = record.handler_id;
      button.dataset.status = record.status;
      button.title = record.handler_id;
      button.appendChild(badge(statusWord(followed ? followed.record : record, followed)));
      button.appendChild(el("span", "run-when", clock(record.started_at)));
      var sub = (all ? record.workflow_name + " · " : "") + "…" + record.handler_id.slice(-8);
      button.appendChild(el("span", "run-sub", sub));
      button.addEventListener("click", function () {
        if (record.workflow_name !== state.workflow) {
          selectWorkflow(record.workflow_name, false, true);
        }
        followRun(record.handler_id, record);
      });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
    $("runs-empty").hidden = shown.length > 0;
    $("runs-empty").textContent = all ? "No runs yet." : "No runs of " + (state.workflow || "this workflow") + " yet.";
  }

  // ---------------------------------------------------------- the run shown

  function newRun(id, record) {
    return {
      id: id,
      workflow: record ? record.workflow_name : null,
      record: record || null,
      lastSeq: -1,
      count: 0,
      lastPublic: null,
      answered: null,
      steps: {},
      waiting: [],
      seen: {},
      taken: {},
      abort: new AbortController(),
      streaming: false,
    };
  }

  function dropRun() {
    if (state.run) {
      state.run.abort.abort();
    }
    state.run = null;
    $("run-body").hidden = true;
    $("run-empty").hidden = false;
    paintGraph();
    renderRuns();
    writeHash();
  }

  function followRun(id, record) {
    if (state.run && state.run.id === id) {
      return;
    }
    if (state.run) {
      state.run.abort.abort();
    }
    var run = newRun(id, record);
    state.run = run;
    $("run-empty").hidden = true;
    $("run-body").hidden = false;
    $("events").replaceChildren();
    stickToLatest = true;
    $("run-error").textContent = "";
    $("input-error").textContent = "";
    $("input-text").value = "";
    renderRun();
    renderRuns();
    paintGraph();
    writeHash();
    loadRecord(run).then(function () {
      if (state.run === run && run.workflow && run.workflow !== state.workflow) {
        selectWorkflow(run.workflow, false, true);
      }
    });
    stream(run);
  }

  async function loadRecord(run) {
    try {
      var answer = await api("GET", "/handlers/" + encodeURIComponent(run.id), undefined, { record: true });
      if (state.run !== run) {
        return;
      }
      run.record = answer.data;
      run.workflow = run.record.workflow_name;
      upsertRun(run.record);
      renderRun();
      renderRuns();
      renderWorkflows();
      paintGraph();
    } catch (error) {
      if (state.run === run) {
        $("run-error").textContent = "The run's record could not be loaded: " + error.message;
      }
    }
  }

  function renderRun() {
    var run = state.run;
    if (!run) {
      return;
    }
    var record = run.record;
    var word = statusWord(record, run);
    var status = $("run-status");
    status.className = "badge " + word;
    status.textContent = word === "waiting" ? "needs input" : word;
    status.dataset.status = record ? record.status : "";
    $("run-title").textContent = (run.workflow || "run") + " run";
    $("run-id").textContent = run.id;
    $("run-started").textContent = record ? clock(record.started_at) : "";
    $("run-updated").textContent = record ? clock(record.completed_at || record.updated_at) : "";
    var running = !!record && record.status === "running";
    $("cancel-button").hidden = !running;
    renderInput(run);
    renderOutcome(run);
    $("event-count").textContent = run.count ? "(" + run.count + ")" : "";
    keepLatestInView();
    var note = $("stream-note");
    if (run.trouble) {
      note.className = "stream-note trouble";
      note.textContent = run.trouble;
    } else if (run.streaming && running) {
      note.className = "stream-note live";
      note.textContent = "live";
    } else if (record && !running) {
      note.className = "stream-note";
      note.textContent = "run ended";
    } else {
      note.className = "stream-note";
      note.textContent = "";
    }
  }

  // Whether the run waits for an answer to its latest InputRequiredEvent.
  function inputWanted(run) {
    return (
      !!run.record &&
      run.record.status === "running" &&
      !!run.lastPublic &&
      run.lastPublic.type === "InputRequiredEvent" &&
      run.answered !== run.lastPublic.seq
    );
  }

  function renderInput(run) {
    var box = $("input-box");
    var wanted = inputWanted(run);
    var wasHidden = box.hidden;
    box.hidden = !wanted;
    if (!wanted) {
      return;
    }
    var value = run.lastPublic.value || {};
    var prefix = typeof value.prefix === "string" ? value.prefix : JSON.stringify(value);
    $("input-prefix").textContent = prefix;
    box.dataset.seq = String(run.lastPublic.seq);
    if (wasHidden || box.dataset.focused !== box.dataset.seq) {
      box.dataset.focused = box.dataset.seq;
      $("input-send").disabled = false;
      $("input-text").focus();
    }
  }

  function renderOutcome(run) {
    var box = $("outcome");
    var record = run.record;
    if (!record || record.status === "running") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.className = "outcome " + record.status;
    box.dataset.status = record.status;
    box.replaceChildren();
    if (record.status === "completed") {
      box.appendChild(el("div", "outcome-title", "Completed: the result"));
      var envelope = record.result;
      var result = envelope && envelope.value && "result" in envelope.value ? envelope.value.result : envelope && envelope.value;
      if (typeof result === "string") {
        box.appendChild(el("p", "outcome-text result", result));
      } else {
        box.appendChild(el("pre", "result", JSON.stringify(result, null, 2)));
      }
      if (envelope && envelope.type && envelope.type !== "StopEvent") {
        box.appendChild(el("p", "muted", "as a " + envelope.type));
      }
      if (record.result_unreadable) {
        box.appendChild(el("p", "muted", "The server could not read the result in full."));
      }
    } else if (record.status === "failed") {
      box.appendChild(el("div", "outcome-title", "Failed"));
      box.appendChild(el("p", "outcome-text", record.error || "The run failed, saying nothing."));
    } else if (record.status === "cancelled") {
      box.appendChild(el("div", "outcome-title", "Cancelled"));
      box.appendChild(el("p", "outcome-text", "The run was cancelled" + (record.completed_at ? " at " + clock(record.completed_at) : "") + "."));
    } else {
      box.appendChild(el("div", "outcome-title", record.status));
    }
  }

  // ------------------------------------------------------------ the stream

  // Reads the run's events from the start, as server-sent events over
  // fetch, reconnecting from the last one read while the run goes on.
  async function stream(run) {
    var signal = run.abort.signal;
    var failures = 0;
    while (!signal.aborted) {
      var url =
        "/events/" + encodeURIComponent(run.id) + "?sse=true&include_internal=true&after_sequence=" + run.lastSeq;
      var res;
      try {
        res = await fetch(url, { headers: headers({ Accept: "text/event-stream" }), signal: signal });
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        failures += 1;
        run.trouble = "stream lost (" + error.message + "); reconnecting…";
        run.streaming = false;
        renderRun();
        await delay(Math.min(5000, 500 * failures));
        continue;
      }
      if (res.status === 204) {
        break;
      }
      if (!res.ok) {
        var text = await res.text().catch(function () {
          return "";
        });
        var data = null;
        try {
          data = JSON.parse(text);
        } catch (notJson) {
          data = text;
        }
        if (res.status === 401) {
          authNeeded(detailOf(data, res));
        }
        run.trouble = "";
        run.streaming = false;
        $("run-error").textContent = "The run's events could not be read: " + res.status + ": " + detailOf(data, res);
        renderRun();
        return;
      }
      run.streaming = true;
      run.trouble = "";
      failures = 0;
      renderRun();
      var ended = await readFrames(run, res.body, signal);
      if (signal.aborted) {
        return;
      }
      run.streaming = false;
      if (!ended) {
        failures += 1;
        run.trouble = "stream interrupted; reconnecting…";
        renderRun();
        await delay(Math.min(5000, 500 * failures));
        continue;
      }
      await loadRecord(run);
      if (!run.record || run.record.status !== "running") {
        break;
      }
      // The stream ended, yet the run goes on: read on from where it was.
      await delay(300);
    }
    if (state.run === run) {
      run.streaming = false;
      run.trouble = "";
      await loadRecord(run);
      renderRun();
      paintGraph();
    }
  }

  // Reads SSE frames from `body` until it ends (true) or breaks (false).
  async function readFrames(run, body, signal) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var frame = { id: null, data: [] };
    try {
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) {
          return true;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop();
        for (var i = 0; i < lines.length; i++) {
          var line = lines[i];
          if (line === "") {
            if (frame.data.length) {
              dispatch(run, frame.id, frame.data.join("\n"));
            }
            frame = { id: null, data: [] };
          } else if (line.charAt(0) === ":") {
            // A comment: the heartbeat.
          } else {
            var colon = line.indexOf(":");
            var field = colon < 0 ? line : line.slice(0, colon);
            var value = colon < 0 ? "" : line.slice(colon + 1);
            if (value.charAt(0) === " ") {
              value = value.slice(1);
            }
            if (field === "id") {
              frame.id = value;
            } else if (field === "data") {
              frame.data.push(value);
            }
          }
        }
      }
    } catch (error) {
      if (!signal.aborted) {
        console.warn("the event stream broke", error);
      }
      return false;
    }
  }

  function dispatch(run, id, data) {
    if (state.run !== run) {
      return;
    }
    var seq = id === null ? run.lastSeq + 1 : Number(id);
    if (Number.isFinite(seq) && seq <= run.lastSeq) {
      return;
    }
    var envelope;
    try {
      envelope = JSON.parse(data);
    } catch (error) {
      envelope = { type: "(not JSON)", value: data };
    }
    if (Number.isFinite(seq)) {
      run.lastSeq = seq;
    }
    run.count += 1;
    var internal = Array.isArray(envelope.types) && envelope.types.indexOf("InternalDispatchEvent") >= 0;
    track(run, envelope, internal, seq);
    appendEvent(run, envelope, internal, seq);
    renderRun();
    renderRuns();
    paintGraph();
  }

  function close(step, event) {
    if ((step.open[event] || 0) > 0) {
      step.open[event] -= 1;
    }
  }

  function stepOf(run, name) {
    if (!run.steps[name]) {
      // `open`: how many invocations are under way, by the event each
      // handles.
      run.steps[name] = { running: 0, finished: 0, failed: 0, last: "", open: {} };
    }
    return run.steps[name];
  }

  // Takes in what the event says of the run's path.
  function track(run, envelope, internal, seq) {
    var value = envelope.value && typeof envelope.value === "object" ? envelope.value : {};
    var see = function (name) {
      if (typeof name === "string") {
        run.seen[name] = true;
      }
    };
    // Edges are kept by the names at their ends, and found in the drawing
    // when it is painted (it may load after the run's first events).
    var take = function (from, to) {
      run.taken[from + ">" + to] = true;
    };
    var stepId = function (name) {
      return "s:" + name;
    };
    var eventId = function (name) {
      return "e:" + name;
    };
    if (!internal) {
      see(envelope.type);
      var answered = run.lastPublic && run.answered === run.lastPublic.seq ? run.lastPublic : null;
      run.lastPublic = { type: envelope.type, value: envelope.value, seq: seq };
      // The step run again writes again what it wrote before it waited:
      // a question answered already.
      if (run.rerun && answered && answered.type === envelope.type &&
          JSON.stringify(answered.value) === JSON.stringify(envelope.value)) {
        run.answered = seq;
        run.lastPublic.replayed = true;
      }
      run.rerun = null;
      // An event written while one step alone runs is that step's: its
      // edge is lit before the step finishes and says what it wrote.
      var running = Object.keys(run.steps).filter(function (name) {
        return run.steps[name].running > 0;
      });
      if (running.length === 1) {
        take(stepId(running[0]), eventId(envelope.type));
      }
      return;
    }
    var step = value.step;
    if (envelope.type !== "StepStarted") {
      run.rerun = null;
    }
    switch (envelope.type) {
      case "StepStarted":
        var started = stepOf(run, step);
        // A step that waits for input, in a run of a store, is run again
        // from its start once the input comes: it starts anew with the
        // event it waited on, and is the same invocation, not another.
        var again = run.waiting.indexOf(step) >= 0 && (started.open[value.event] || 0) > 0;
        if (!again) {
          started.running += 1;
          started.open[value.event] = (started.open[value.event] || 0) + 1;
        }
        run.rerun = again ? step : null;
        see(value.event);
        take(eventId(value.event), stepId(step));
        run.waiting = run.waiting.filter(function (name) {
          return name !== step;
        });
        break;
      case "StepFinished":
        var finished = stepOf(run, step);
        finished.running = Math.max(0, finished.running - 1);
        finished.finished += 1;
        finished.last = "finished";
        close(finished, value.event);
        see(value.event);
        ["produced", "written"].forEach(function (key) {
          (value[key] || []).forEach(function (name) {
            see(name);
            take(stepId(step), eventId(name));
          });
        });
        (value.received || []).forEach(function (name) {
          see(name);
          take(eventId(name), stepId(step));
        });
        run.waiting = run.waiting.filter(function (name) {
          return name !== step;
        });
        break;
      case "StepFailed":
        var failed = stepOf(run, step);
        failed.running = Math.max(0, failed.running - 1);
        failed.failed += 1;
        failed.last = "failed";
        close(failed, value.event);
        see(value.event);
        run.waiting = run.waiting.filter(function (name) {
          return name !== step;
        });
        break;
      case "RunIdle":
        run.waiting = Array.isArray(value.waiting) ? value.waiting.slice() : [];
        break;
      default:
        break;
    }
  }

  function duration(value) {
    if (!value || typeof value !== "object" || typeof value.secs !== "number") {
      return "";
    }
    var seconds = value.secs + (value.nanos || 0) / 1e9;
    if (seconds < 1) {
      return (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1) + " ms";
    }
    return seconds.toFixed(3) + " s";
  }

  // A line that says what an internal event means.
  function summary(envelope) {
    var value = envelope.value || {};
    var list = function (names) {
      return names && names.length ? names.join(", ") : "nothing";
    };
    switch (envelope.type) {
      case "StepStarted":
        return { text: value.step + " started, with " + value.event };
      case "StepFinished":
        var parts = [value.step + " finished: " + value.event + " → " + list(value.produced)];
        if (value.written && value.written.length) {
          parts.push("wrote " + value.written.join(", "));
        }
        if (value.received && value.received.length) {
          parts.push("received " + value.received.join(", "));
        }
        if (value.duration) {
          parts.push(duration(value.duration));
        }
        return { text: parts.join(" · ") };
      case "StepFailed":
        return { text: value.step + " failed on " + value.event + ": " + value.error, error: true };
      case "RunIdle":
        return {
          text: value.waiting && value.waiting.length ? "idle, waiting in " + value.waiting.join(", ") : "idle, nothing waiting",
        };
      default:
        return null;
    }
  }

  // The list of events follows the latest unless the reader scrolled up.
  var stickToLatest = true;

  function keepLatestInView() {
    var list = $("events");
    if (stickToLatest) {
      list.scrollTop = list.scrollHeight;
    }
  }

  function appendEvent(run, envelope, internal, seq) {
    var list = $("events");
    var item = el("li", "ev" + (internal ? " internal" : ""));
    item.dataset.seq = String(seq);
    item.dataset.type = envelope.type;
    var head = el("div", "ev-head");
    head.appendChild(el("span", "seq", "#" + seq));
    var kind = internal ? "internal" : eventKind(envelope.type) || "event";
    if (/Failed|Cancelled|TimedOut/.test(envelope.type) && !internal) {
      kind = "bad";
    }
    if (envelope.type === "StepFailed") {
      kind = "bad";
    }
    head.appendChild(el("span", "ev-type " + kind, envelope.type));
    if (internal) {
      head.appendChild(el("span", "tag", "internal"));
    }
    if (!internal && run.lastPublic && run.lastPublic.seq === seq && run.lastPublic.replayed) {
      var again = el("span", "tag", "again: answered");
      again.title = "The step ran again from its start once its input came, and wrote this again.";
      head.appendChild(again);
    }
    var value = envelope.value;
    if (value && typeof value === "object" && value.at) {
      head.appendChild(el("span", "ev-time", "+" + duration(value.at)));
    }
    item.appendChild(head);
    var said = internal ? summary(envelope) : null;
    if (said) {
      item.appendChild(el("div", "ev-sum" + (said.error ? " error" : ""), said.text));
    }
    var json = JSON.stringify(value === undefined ? null : value);
    if (json.length > 100 && !internal) {
      json = JSON.stringify(value, null, 2);
    }
    item.appendChild(el("pre", "ev-json", json));
    list.appendChild(item);
    keepLatestInView();
  }

  // ------------------------------------------------------- answer, cancel

  async function sendAnswer(event) {
    event.preventDefault();
    var run = state.run;
    if (!run || !inputWanted(run)) {
      return;
    }
    var asked = run.lastPublic.seq;
    var text = $("input-text").value;
    var button = $("input-send");
    $("input-error").textContent = "";
    button.disabled = true;
    try {
      await api("POST", "/events/" + encodeURIComponent(run.id), {
        event: { type: "HumanResponseEvent", value: { response: text } },
      });
      if (state.run === run) {
        run.answered = asked;
        $("input-text").value = "";
        renderRun();
        renderRuns();
      }
    } catch (error) {
      $("input-error").textContent = "The answer was not taken: " + error.message;
    } finally {
      button.disabled = false;
    }
  }

  async function cancelRun() {
    var run = state.run;
    if (!run) {
      return;
    }
    var button = $("cancel-button");
    button.disabled = true;
    $("run-error").textContent = "";
    try {
      await api("POST", "/handlers/" + encodeURIComponent(run.id) + "/cancel");
      await loadRecord(run);
      refreshRuns();
    } catch (error) {
      $("run-error").textContent = "The run was not cancelled: " + error.message;
    } finally {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------ the address

  // `#workflow` or `#workflow/handler`, so that a reload shows the same.
  function writeHash() {
    var hash = state.workflow ? "#" + encodeURIComponent(state.workflow) : "";
    if (state.run) {
      hash += "/" + encodeURIComponent(state.run.id);
    }
    if (location.hash !== hash) {
      history.replaceState(null, "", hash || location.pathname);
    }
  }

  function readHash() {
    var parts = location.hash.replace(/^#/, "").split("/");
    return {
      workflow: parts[0] ? decodeURIComponent(parts[0]) : null,
      run: parts[1] ? decodeURIComponent(parts[1]) : null,
    };
  }

  // ------------------------------------------------------------------ start

  async function load() {
    var wanted = readHash();
    if (!(await loadWorkflows())) {
      return;
    }
    await refreshRuns();
    var name = wanted.workflow && state.workflows.indexOf(wanted.workflow) >= 0 ? wanted.workflow : state.workflows[0];
    if (name) {
      selectWorkflow(name, false);
    }
    if (wanted.run) {
      var record = state.runs.find(function (known) {
        return known.handler_id === wanted.run;
      });
      followRun(wanted.run, record || null);
    }
  }

  function schedule() {
    setTimeout(async function () {
      if (!document.hidden && !state.authBlocked) {
        await refreshRuns();
      }
      schedule();
    }, REFRESH_MS);
  }

  // An address typed in, or a link followed, shows what it names.
  window.addEventListener("hashchange", function () {
    var wanted = readHash();
    if (wanted.workflow && wanted.workflow !== state.workflow && state.workflows.indexOf(wanted.workflow) >= 0) {
      selectWorkflow(wanted.workflow, false, !!wanted.run);
    }
    if (wanted.run && (!state.run || state.run.id !== wanted.run)) {
      followRun(wanted.run, null);
    } else if (!wanted.run && state.run) {
      dropRun();
    }
  });
  if (window.ResizeObserver) {
    new ResizeObserver(fitGraph).observe($("graph"));
  }

  $("token").value = state.token;
  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    state.token = $("token").value.trim();
    if (state.token) {
      sessionStorage.setItem(TOKEN_KEY, state.token);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
    hideBanner();
    var run = state.run;
    state.graph = null;
    load().then(function () {
      if (run && state.run === run && !run.streaming) {
        run.abort.abort();
        state.run = null;
        followRun(run.id, run.record);
      }
    });
  });
  $("token-clear").addEventListener("click", function () {
    $("token").value = "";
    $("token-form").requestSubmit();
  });
  $("banner-close").addEventListener("click", hideBanner);
  $("start-form").addEventListener("submit", startRun);
  $("start-form").querySelectorAll(".mode").forEach(function (button) {
    button.addEventListener("click", function () {
      switchMode(button.dataset.mode);
    });
  });
  $("input-form").addEventListener("submit", sendAnswer);
  $("cancel-button").addEventListener("click", cancelRun);
  $("all-runs").addEventListener("change", renderRuns);
  $("events").addEventListener("scroll", function () {
    var list = $("events");
    stickToLatest = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  });
  $("show-internal").addEventListener("change", function () {
    $("events").classList.toggle("hide-internal", !$("show-internal").checked);
    keepLatestInView();
  });
  window.addEventListener("unhandledrejection", function (event) {
    report("Unexpected error", event.reason);
  });

  fetch("/health")
    .then(function (res) {
      if (res.ok) {
        setConn("ok", "connected to " + location.host);
      }
    })
    .catch(function () {
      setConn("down", "server unreachable");
    });
  load();
  schedule();
})();
