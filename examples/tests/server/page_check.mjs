// The debugger page at `/`, in a headless Chromium, against a server
// started with `--token`, its runs in memory or in a store (by
// examples/tests/server_page.rs):
//
//   node page_check.mjs <server url> <chromium> <screenshot dir> <token>
//
// It sees the page ask for the token, gives it, selects `survey`, starts
// a run, answers its two questions as they arrive live ("Ada", "Teal"),
// sees the run complete with "Ada likes teal." and both steps marked as
// run on the graph; then starts a run of `hitl`, cancels it and sees it
// cancelled. Each stage is screenshotted into the screenshot dir. Every
// wait is on the page's state, with a timeout; any page error, console
// error or request outside the server fails the check.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, executablePath, shots, token] = process.argv.slice(2);
if (!url || !executablePath || !shots || !token) {
  console.error("usage: node page_check.mjs <url> <chromium> <screenshot dir> <token>");
  process.exit(2);
}
const TIMEOUT = 20_000;
mkdirSync(shots, { recursive: true });

let checks = 0;
function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
  checks += 1;
  console.log(`ok ${checks} - ${what}`);
}

// What the server says of `path`, with the token.
async function server(path) {
  const res = await fetch(url + path, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) {
    throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  }
  return res.json();
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs each answer of 4xx or 5xx as a failed load, without
    // its address: those are checked below, by address.
    if (message.type() === "error" && !/^Failed to load resource/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  // The answers of 4xx or 5xx the page got: only those it is meant to get
  // are let through at the end.
  const refused = [];
  page.on("response", (response) => {
    if (response.status() >= 400) {
      refused.push({
        status: response.status(),
        method: response.request().method(),
        path: new URL(response.url()).pathname,
      });
    }
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(url + "/")) {
      problems.push(`a request outside the server: ${request.url()}`);
    }
  });

  let shot = 0;
  async function screenshot(name) {
    shot += 1;
    const path = join(shots, `${String(shot).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path });
    console.log(`screenshot ${path}`);
  }

  // Waits until `predicate(arg)` holds in the page; on a timeout, fails
  // saying `what` and what the page shows.
  async function until(what, predicate, arg) {
    try {
      await page.waitForFunction(predicate, arg, { timeout: TIMEOUT, polling: 50 });
    } catch (error) {
      const shown = await page
        .evaluate(() => ({
          banner: document.getElementById("banner").hidden ? null : document.getElementById("banner").innerText,
          status: document.getElementById("run-status").innerText,
          input: document.getElementById("input-box").hidden ? null : document.getElementById("input-prefix").innerText,
          events: [...document.querySelectorAll("#events .ev")].map((ev) => ev.dataset.type),
        }))
        .catch(() => null);
      await screenshot("failure").catch(() => {});
      throw new Error(`timed out waiting until ${what}; the page shows ${JSON.stringify(shown)}\n${error.message}`);
    }
    check(true, what);
  }

  const text = (selector) => page.locator(selector).innerText();

  // ------------------------------------------------------------ the token
  await page.goto(url + "/");
  await until(
    "the page says it needs a token",
    () => {
      const banner = document.getElementById("banner");
      return !banner.hidden && /401/.test(banner.innerText) && /token/i.test(banner.innerText);
    },
  );
  check(/needs a bearer token/.test(await text("#banner-text")), "the banner shows the server's detail");
  await screenshot("token-needed");
  check(refused.length > 0 && refused.every((answer) => answer.status === 401), "without the token, the page gets 401s");
  refused.length = 0;
  await page.fill("#token", token);
  await page.click("#token-form button[type=submit]");
  await until("the workflows are listed", () => document.querySelectorAll("#workflows .wf-item").length === 4);
  check(await page.locator("#banner").isHidden(), "the 401 message is gone once the token is given");
  check(
    (await page.evaluate(() => Object.values(sessionStorage))).includes(token),
    "the token is kept in sessionStorage",
  );

  // ------------------------------------------------------------ survey
  const survey = await server("/workflows/survey/graph");
  const askName = survey.steps.ask_name;
  const askColour = survey.steps.ask_colour;
  check(askName && askColour, "the survey's graph names its two steps");
  await page.click('.wf-item[data-name="survey"]');
  await until(
    "the survey's graph is drawn",
    (ids) => ids.every((id) => document.querySelector(`#graph svg [data-node="${id}"]`)) &&
      document.getElementById("wf-title").innerText === "survey",
    [askName, askColour],
  );
  await until("the start form offers values for the StartEvent", () =>
    document.querySelector("#start-form:not([hidden]) .kv-row .kv-key") !== null,
  );
  await screenshot("survey-selected");

  await page.click("#start-button");
  await until(
    "the first question arrives live",
    () => {
      const box = document.getElementById("input-box");
      return !box.hidden && document.getElementById("input-prefix").innerText === "What is your name?";
    },
  );
  await until(
    "the graph shows ask_name waiting",
    (id) => document.querySelector(`#graph [data-node="${id}"]`).getAttribute("data-state") === "waiting",
    askName,
  );
  await until("the run is listed as running", () =>
    document.querySelector('#runs .run-item.selected[data-status="running"]') !== null,
  );
  check(await page.locator("#cancel-button").isVisible(), "a running run can be cancelled");
  await screenshot("survey-first-question");

  await page.fill("#input-text", "Ada");
  await page.click("#input-send");
  await until(
    "the second question arrives live",
    () => {
      const box = document.getElementById("input-box");
      return !box.hidden && document.getElementById("input-prefix").innerText === "Ada, what is your favourite colour?";
    },
  );
  await until(
    "the graph shows ask_name finished and ask_colour waiting",
    ([name, colour]) =>
      document.querySelector(`#graph [data-node="${name}"]`).getAttribute("data-state") === "finished" &&
      document.querySelector(`#graph [data-node="${colour}"]`).getAttribute("data-state") === "waiting",
    [askName, askColour],
  );
  await screenshot("survey-second-question");

  await page.fill("#input-text", "Teal");
  await page.press("#input-text", "Enter");
  await until(
    "the run completes, showing its result",
    () => {
      const outcome = document.getElementById("outcome");
      return !outcome.hidden && outcome.dataset.status === "completed" && /Ada likes teal\./.test(outcome.innerText);
    },
  );
  check((await page.locator("#run-status").getAttribute("data-status")) === "completed", "the status says completed");
  check(await page.locator("#input-box").isHidden(), "no question is asked of a completed run");
  check(await page.locator("#cancel-button").isHidden(), "a completed run cannot be cancelled");
  await until(
    "the graph marks both steps as run",
    (ids) => ids.every((id) => document.querySelector(`#graph [data-node="${id}"]`).getAttribute("data-state") === "finished"),
    [askName, askColour],
  );
  await until(
    "the graph marks the stop event seen and the edges taken",
    (stop) =>
      document.querySelector(`#graph [data-node="${stop}"]`).getAttribute("data-state") === "seen" &&
      document.querySelectorAll("#graph g[data-from].taken").length >= 4,
    survey.events.StopEvent,
  );
  const types = await page.$$eval("#events .ev", (events) => events.map((event) => event.dataset.type));
  // Over a store, a step that waited is run again from its start once
  // answered, and writes its question again: two questions at least.
  const questions = await page.$$eval('#events .ev[data-type="InputRequiredEvent"] .ev-json', (events) =>
    events.map((event) => JSON.parse(event.textContent).prefix),
  );
  check(
    questions[0] === "What is your name?" &&
      questions[questions.length - 1] === "Ada, what is your favourite colour?" &&
      types.filter((type) => type === "StepFinished").length === 2 &&
      types[0] === "StepStarted" &&
      types[types.length - 1] === "StopEvent",
    `the events are listed in order: ${types.join(", ")}`,
  );
  check(
    /"result":"Ada likes teal\."/.test(await text('#events .ev[data-type="StopEvent"] .ev-json')),
    "each event shows its JSON value",
  );
  await until("the run is listed as completed", () =>
    document.querySelector('#runs .run-item.selected[data-status="completed"]') !== null,
  );
  await screenshot("survey-completed");

  // ------------------------------------------------------------ hitl, cancelled
  const hitl = await server("/workflows/hitl/graph");
  await page.click('.wf-item[data-name="hitl"]');
  await until(
    "the hitl graph is drawn, and no run is shown",
    (id) =>
      document.getElementById("wf-title").innerText === "hitl" &&
      document.querySelector(`#graph svg [data-node="${id}"]`) !== null &&
      document.getElementById("run-body").hidden,
    hitl.steps.ask,
  );
  check((await page.locator("#runs .run-item").count()) === 0, "the runs are those of hitl alone");
  await page.click("#start-button");
  await until("the hitl run asks for a name", () =>
    !document.getElementById("input-box").hidden && document.getElementById("input-prefix").innerText === "name?",
  );
  const hitlRun = await text("#run-id");
  await screenshot("hitl-running");
  await page.click("#cancel-button");
  await until(
    "the run is cancelled",
    () => {
      const outcome = document.getElementById("outcome");
      return !outcome.hidden && outcome.dataset.status === "cancelled" &&
        document.getElementById("run-status").dataset.status === "cancelled";
    },
  );
  check(await page.locator("#input-box").isHidden(), "a cancelled run asks nothing");
  await until(
    "the cancelled run is listed so, and its step marked halted",
    (id) =>
      document.querySelector('#runs .run-item.selected[data-status="cancelled"]') !== null &&
      document.querySelector(`#graph [data-node="${id}"]`).getAttribute("data-state") === "halted",
    hitl.steps.ask,
  );
  const handlers = await server("/handlers?workflow_name=hitl");
  check(
    handlers.handlers.length === 1 && handlers.handlers[0].status === "cancelled",
    "the server has the hitl run cancelled",
  );
  await screenshot("hitl-cancelled");

  await page.check("#all-runs");
  await until("all the runs are listed with all workflows", () => document.querySelectorAll("#runs .run-item").length === 2);

  // A cancelled run's record comes with a 500, as the protocol has it.
  const unexpected = refused.filter(
    (answer) => !(answer.status === 500 && answer.method === "GET" && answer.path === `/handlers/${hitlRun}`),
  );
  check(unexpected.length === 0, `no request was refused but the cancelled run's record${unexpected.length ? ": " + JSON.stringify(unexpected) : ""}`);
  check(problems.length === 0, `no page errors, console errors or outside requests${problems.length ? ": " + problems.join("; ") : ""}`);
  console.log(`page check passed: ${checks} checks`);
} finally {
  await browser.close();
}
