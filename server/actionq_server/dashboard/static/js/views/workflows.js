// A workflow by id (GetWorkflow): its status, counts and actions.

import { get } from "../api.js";
import { STATUSES, actionLink, badge, clear, count, h, table, time } from "../dom.js";

export function show(container, { params, go, complain }) {
  const id = params.get("id") || "";
  const input = h("input", { name: "id", value: id, placeholder: "workflow id", size: 40, autocomplete: "off" });
  const form = h("form", { class: "filters" }, h("label", {}, "Workflow", input), h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("/workflows", input.value ? { id: input.value } : {});
  });
  const results = h("section", { id: "workflow" });
  container.append(h("div", { class: "title" }, h("h1", {}, "Workflows")), form, results);
  if (!id) {
    results.append(h("p", { class: "muted" }, "Enter a workflow id; an action's page links to its workflow."));
    return {};
  }
  let stopped = false;
  get("/api/workflow", { workflow_id: id })
    .then((data) => {
      if (stopped) return;
      const w = data.workflow || {};
      const counts = STATUSES.map((s) => h("div", { class: "tile", dataset: { tile: s } }, h("b", {}, count(w[s])), h("span", {}, s)));
      const rows = (data.actions || []).map((a) =>
        h(
          "tr",
          {},
          h("td", {}, actionLink(a.id)),
          h("td", {}, badge(a.status)),
          h("td", {}, a.queue),
          h("td", {}, a.action_type),
          h("td", { class: "ref" }, a.target_ref),
          h("td", {}, (a.depends_on || []).flatMap((d, i) => [i ? ", " : "", actionLink(d)])),
          h("td", {}, time(a.created_at)),
        ),
      );
      clear(
        results,
        h("h2", {}, `${w.id || id} `, badge(w.status || "unknown")),
        h("p", { class: "muted" }, `${count(w.total)} actions; started ${time(w.created_at)}${w.finished_at ? `, ended ${time(w.finished_at)}` : ""}`),
        h("section", { class: "tiles" }, counts),
        table(["ID", "Status", "Queue", "Type", "Target", "Depends on", "Created"].map((label) => ({ label })), rows, { id: "workflow-actions" }),
      );
    })
    .catch((error) => {
      if (!stopped) {
        clear(results, h("p", { class: "muted" }, "This workflow cannot be shown."));
        complain(error);
      }
    });
  return { dispose: () => { stopped = true; } };
}
