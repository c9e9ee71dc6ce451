// The single page: a view per URL fragment, the live stream, the notice line.

import { ApiError, post } from "./api.js";
import { Live } from "./live.js";
import * as overview from "./views/overview.js";

const routes = [
  { pattern: /^\/?$/, nav: "overview", load: async () => overview },
  { pattern: /^\/actions\/(\d+)$/, nav: "actions", load: () => import("./views/action.js") },
  { pattern: /^\/actions$/, nav: "actions", load: () => import("./views/actions.js") },
  { pattern: /^\/dead$/, nav: "dead", load: () => import("./views/dead.js") },
  { pattern: /^\/schedules$/, nav: "schedules", load: () => import("./views/schedules.js") },
  { pattern: /^\/workflows$/, nav: "workflows", load: () => import("./views/workflows.js") },
];

const container = document.getElementById("view");
const notice = document.getElementById("notice");
const live = new Live(document.getElementById("live"));
let current = null;
let generation = 0;

export function say(message, kind = "info") {
  notice.hidden = !message;
  notice.dataset.kind = kind;
  notice.textContent = message || "";
}

// With ACTIONQ_AUTH on the server asks for an API token: the page sends it
// once to /api/login, which keeps it in an HttpOnly cookie.
function showLogin(message) {
  live.stop?.();
  const form = document.createElement("form");
  form.id = "login";
  const label = Object.assign(document.createElement("label"), { textContent: "API token " });
  const input = Object.assign(document.createElement("input"), {
    type: "password",
    name: "token",
    id: "login-token",
    autocomplete: "off",
    required: true,
  });
  const button = Object.assign(document.createElement("button"), { type: "submit", textContent: "Sign in" });
  label.append(input);
  form.append(label, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post("/api/login", { token: input.value });
      location.reload();
    } catch (error) {
      say(error.message, "error");
    }
  });
  container.replaceChildren(form);
  say(message || "Sign in with an API token.", "error");
  input.focus();
}

export function complain(error) {
  if (error instanceof ApiError && error.status === 401) {
    showLogin(error.message);
    return;
  }
  if (error instanceof ApiError) {
    say(`${error.message}${error.reason ? ` (${error.reason})` : ""}`, "error");
  } else {
    say(String(error && error.message ? error.message : error), "error");
  }
}

export function go(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of [].concat(value)) if (one !== "" && one !== undefined && one !== null) query.append(key, one);
  }
  const text = query.toString();
  location.hash = `#${path}${text ? `?${text}` : ""}`;
}

async function route() {
  const mine = ++generation;
  const fragment = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = fragment.split("?", 2);
  const params = new URLSearchParams(search);
  const found = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  if (current && current.dispose) current.dispose();
  current = null;
  say("");
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", found !== undefined && link.dataset.nav === found.r.nav);
  }
  if (!found) {
    container.replaceChildren(Object.assign(document.createElement("p"), { textContent: "No such page." }));
    return;
  }
  const module = await found.r.load();
  if (mine !== generation) return;
  container.replaceChildren();
  current = module.show(container, { match: found.m, params, live, go, say, complain, reload: route });
}

window.addEventListener("hashchange", route);
live.start();
route();
