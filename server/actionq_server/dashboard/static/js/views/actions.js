// The action list: filters (status, queue, type, project, text in target_ref),
// newest or oldest first, a page at a time. Filters live in the URL.

import { get } from "../api.js";
import { STATUSES, actionLink, clear, h, table, time, workflowLink } from "../dom.js";
import { actionButton } from "./rows.js";

const FILTERS = ["status", "queue", "type", "project", "q", "order", "limit"];

export function show(container, context) {
  const { params, go, complain } = context;
  const value = (name) => params.get(name) || "";
  const field = (name, label, attrs = {}) =>
    h("label", {}, label, h("input", { name, value: value(name), autocomplete: "off", ...attrs }));
  const status = h(
    "select",
    { name: "status" },
    h("option", { value: "" }, "any"),
    STATUSES.map((s) => h("option", { value: s, selected: value("status") === s }, s)),
  );
  const order = h(
    "select",
    { name: "order" },
    h("option", { value: "newest", selected: value("order") !== "oldest" }, "newest first"),
    h("option", { value: "oldest", selected: value("order") === "oldest" }, "oldest first"),
  );
  const form = h(
    "form",
    { class: "filters", id: "filters" },
    h("label", {}, "Status", status),
    field("queue", "Queue"),
    field("type", "Type"),
    field("project", "Project"),
    field("q", "Target contains", { type: "search", placeholder: "text in target_ref", size: 24 }),
    h("label", {}, "Order", order),
    h("button", { type: "submit" }, "Filter"),
    h("a", { href: "#/actions", class: "reset" }, "clear"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of FILTERS) if (data.get(name)) next[name] = data.get(name);
    if (next.order === "newest") delete next.order;
    go("/actions", next);
  });
  const results = h("section", { id: "results" }, h("p", { class: "muted" }, "Loading…"));
  container.append(h("div", { class: "title" }, h("h1", {}, "Actions")), form, results);

  const query = {};
  for (const name of [...FILTERS, "cursor"]) if (value(name)) query[name] = value(name);
  let stopped = false;
  get("/api/actions", query)
    .then((page) => {
      if (stopped) return;
      const rows = page.actions.map((a) => {
        const statusCell = h("td", { dataset: { col: "status" } });
        const button = actionButton(a, statusCell, context);
        return h(
          "tr",
          { dataset: { id: String(a.id) } },
          h("td", {}, actionLink(a.id)),
          statusCell,
          h("td", {}, a.queue),
          h("td", {}, a.action_type),
          h("td", {}, a.project),
          h("td", { class: "ref", dataset: { col: "target_ref" } }, a.target_ref),
          h("td", { class: "num" }, `${a.attempt}/${a.max_attempts}`),
          h("td", {}, a.workflow_id ? workflowLink(a.workflow_id) : ""),
          h("td", {}, time(a.created_at)),
          h("td", {}, button),
        );
      });
      const pager = h(
        "p",
        { class: "pager" },
        value("cursor") ? h("a", { href: "#", onclick: (e) => { e.preventDefault(); history.back(); } }, "← previous page") : null,
        page.next_cursor
          ? h("a", { href: "#", id: "next-page", onclick: (e) => { e.preventDefault(); go("/actions", { ...query, cursor: page.next_cursor }); } }, "next page →")
          : h("span", { class: "muted" }, rows.length ? "end of the list" : ""),
      );
      clear(
        results,
        rows.length
          ? table(
              ["ID", "Status", "Queue", "Type", "Project", "Target", "Attempt", "Workflow", "Created", ""].map((label) => ({ label })),
              rows,
              { id: "actions" },
            )
          : h("p", { class: "muted", id: "no-actions" }, "No action matches these filters."),
        pager,
      );
    })
    .catch((error) => {
      if (!stopped) {
        clear(results);
        complain(error);
      }
    });
  return { dispose: () => { stopped = true; } };
}
