// The dead-letter view: failed, rejected (and, when asked, cancelled) actions
// with why they died; Retry one or the selected ones. A retried row turns
// pending and offers Cancel instead.

import { get, post } from "../api.js";
import { DEAD, actionLink, clear, h, table, time } from "../dom.js";
import { actionButton } from "./rows.js";

const KINDS = {
  "": ["failed", "rejected"],
  failed: ["failed"],
  rejected: ["rejected"],
  cancelled: ["cancelled"],
  all: DEAD,
};

export function show(container, context) {
  const { params, go, say, complain, reload } = context;
  const value = (name) => params.get(name) || "";
  const kind = h(
    "select",
    { name: "kind" },
    [["", "failed and rejected"], ["failed", "failed"], ["rejected", "rejected"], ["cancelled", "cancelled"], ["all", "all dead"]].map(([v, label]) =>
      h("option", { value: v, selected: value("kind") === v }, label),
    ),
  );
  const field = (name, label) => h("label", {}, label, h("input", { name, value: value(name), autocomplete: "off" }));
  const form = h("form", { class: "filters" }, h("label", {}, "Show", kind), field("queue", "Queue"), field("type", "Type"), field("project", "Project"), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of ["kind", "queue", "type", "project", "cursor"]) if (data.get(name)) next[name] = data.get(name);
    go("/dead", next);
  });
  const results = h("section", { id: "results" }, h("p", { class: "muted" }, "Loading…"));
  container.append(h("div", { class: "title" }, h("h1", {}, "Dead letters")), form, results);
  let stopped = false;

  const query = { status: KINDS[value("kind")] || KINDS[""], queue: value("queue"), type: value("type"), project: value("project"), cursor: value("cursor"), limit: "100" };
  get("/api/actions", query)
    .then((page) => {
      if (stopped) return;
      const picked = new Set();
      const rows = page.actions.map((a) => {
        const statusCell = h("td", { dataset: { col: "status" } });
        const button = actionButton(a, statusCell, context);
        const box = h("input", { type: "checkbox", "aria-label": `select #${a.id}`, onchange: (e) => (e.target.checked ? picked.add(a.id) : picked.delete(a.id)) });
        return h(
          "tr",
          { dataset: { id: String(a.id) } },
          h("td", {}, box),
          h("td", {}, actionLink(a.id)),
          statusCell,
          h("td", {}, a.queue),
          h("td", {}, a.action_type),
          h("td", { class: "ref" }, a.target_ref),
          h("td", { class: "num" }, `${a.attempt}/${a.max_attempts}`),
          h("td", { class: "reason", dataset: { col: "reason" } }, a.failure_reason || ""),
          h("td", {}, time(a.completed_at || a.updated_at)),
          h("td", {}, button),
        );
      });
      const retrySelected = h(
        "button",
        {
          type: "button",
          id: "retry-selected",
          onclick: async () => {
            if (!picked.size) return say("Select the actions to retry first.");
            try {
              const answer = await post("/api/actions/retry", { ids: [...picked] });
              await reload();
              say(`Retried ${answer.retried_ids.length} action(s): pending again.`);
            } catch (error) {
              complain(error);
            }
          },
        },
        "Retry selected",
      );
      clear(
        results,
        rows.length
          ? [
              table(["", "ID", "Status", "Queue", "Type", "Target", "Attempt", "Reason", "Ended", ""].map((label) => ({ label })), rows, { id: "dead" }),
              h("p", { class: "pager" }, retrySelected, page.next_cursor ? h("a", { href: "#", id: "next-page", onclick: (e) => { e.preventDefault(); go("/dead", { ...Object.fromEntries(params), cursor: page.next_cursor }); } }, "next page →") : null),
            ]
          : h("p", { class: "muted", id: "no-dead" }, "No dead actions. (Finished actions are pruned after the retention period.)"),
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
