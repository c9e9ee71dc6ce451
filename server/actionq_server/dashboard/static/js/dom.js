// Building elements (text only: nothing from the server becomes markup) and formatting.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (key === "class") {
      element.className = value;
    } else {
      element.setAttribute(key, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function age(seconds) {
  if (!seconds || seconds <= 0) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function time(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace(/Z$/, " UTC");
}

export function count(n) {
  return Number(n || 0).toLocaleString("en-US");
}

export function pretty(text) {
  if (text === null || text === undefined || text === "") return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}

export function compact(text) {
  if (!text) return "";
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && Object.keys(value).length === 0) return "";
    return JSON.stringify(value);
  } catch {
    return String(text);
  }
}

export function badge(status) {
  return h("span", { class: `badge s-${status}`, dataset: { status } }, status);
}

export function actionLink(id) {
  return h("a", { href: `#/actions/${id}`, class: "id" }, `#${id}`);
}

export function workflowLink(id) {
  return h("a", { href: `#/workflows?id=${encodeURIComponent(id)}` }, id);
}

export function table(columns, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.class }, c.label)))),
    h("tbody", {}, rows),
  );
}

export const DEAD = ["failed", "rejected", "cancelled"];
export const CANCELLABLE = ["pending", "claimed", "waiting"];
export const STATUSES = ["pending", "claimed", "waiting", "completed", "failed", "rejected", "cancelled"];
