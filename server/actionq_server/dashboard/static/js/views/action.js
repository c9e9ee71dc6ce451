// One action: its fields, payload, result, progress, event timeline and
// checkpoints; Retry or Cancel as its status allows. Re-read when the live
// stream names it.

import { get } from "../api.js";
import { actionLink, badge, clear, compact, h, pretty, table, time, workflowLink } from "../dom.js";
import { throttled } from "../live.js";
import { actionButton } from "./rows.js";

const FIELDS = [
  ["queue", "Queue"],
  ["action_type", "Type"],
  ["project", "Project"],
  ["target_ref", "Target"],
  ["source_refs", "Sources", (v) => (v && v.length ? v.join(", ") : null)],
  ["attempt", "Attempts", (v, a) => `${a.attempt} of ${a.max_attempts}`],
  ["priority", "Priority"],
  ["run_after", "Run after", time],
  ["claimed_by", "Claimed by"],
  ["claim_deadline", "Lease until", (v) => (v ? time(v) : null)],
  ["failure_reason", "Failure reason"],
  ["rejected_by", "Rejected by"],
  ["result_ref", "Result ref"],
  ["workflow_id", "Workflow", (v) => (v ? workflowLink(v) : null)],
  ["depends_on", "Depends on", (v) => (v && v.length ? v.flatMap((id, i) => [i ? ", " : "", actionLink(id)]) : null)],
  ["parent_id", "Parent", (v) => (v ? actionLink(v) : null)],
  ["chain_depth", "Chain depth", (v) => (v ? v : null)],
  ["waiting_for", "Waiting for"],
  ["wait_signal", "Wait signal"],
  ["wait_until", "Wait until", (v) => (v ? time(v) : null)],
  ["wait_step", "Wait step"],
  ["concurrency_key", "Concurrency key"],
  ["group_key", "Group"],
  ["idempotency_key", "Idempotency key"],
  ["created_by", "Created by"],
  ["created_at", "Created", time],
  ["updated_at", "Updated", time],
  ["completed_at", "Ended", (v) => (v ? time(v) : null)],
];

function json(title, text, id) {
  if (text === null || text === undefined) return null;
  return h("section", {}, h("h2", {}, title), h("pre", { class: "json", id }, pretty(text)));
}

export function show(container, context) {
  const { match, live, complain } = context;
  const id = Number(match[1]);
  let stopped = false;

  function render(data) {
    const a = data.action;
    const statusCell = h("span", { id: "status" });
    const button = actionButton(a, statusCell, { ...context, say: (m) => { context.say(m); refresh(); } });
    const fields = FIELDS.map(([key, label, format]) => {
      const shown = format ? format(a[key], a) : a[key];
      if (shown === null || shown === undefined || shown === "") return null;
      return h("tr", { dataset: { field: key } }, h("th", {}, label), h("td", {}, shown));
    });
    const timeline = data.events.map((e) =>
      h(
        "li",
        { dataset: { event: e.event_type } },
        h("time", {}, time(e.created_at)),
        h("b", {}, e.event_type),
        h("span", { class: "muted" }, ` by ${e.actor}`),
        compact(e.payload) ? h("code", {}, compact(e.payload)) : null,
      ),
    );
    const checkpoints = data.checkpoints.map((k) =>
      h("tr", {}, h("td", {}, k.step), h("td", { class: "num" }, k.attempt), h("td", {}, time(k.updated_at)), h("td", {}, h("code", {}, compact(k.state) || "{}"))),
    );
    clear(
      container,
      h("div", { class: "title" }, h("h1", {}, `Action #${a.id} `, statusCell), button),
      h("table", { class: "fields", id: "fields" }, h("tbody", {}, fields)),
      json("Payload", a.payload, "payload"),
      json("Result", a.result, "result"),
      json("Progress", a.progress, "progress"),
      h("section", {}, h("h2", {}, "Timeline"), h("ol", { class: "timeline", id: "timeline" }, timeline), data.more_events ? h("p", { class: "muted" }, "Later events are not shown: actionctl show lists them all.") : null),
      checkpoints.length
        ? h("section", {}, h("h2", {}, "Checkpoints"), table([{ label: "Step" }, { label: "Attempt" }, { label: "Saved" }, { label: "State" }], checkpoints, { id: "checkpoints" }))
        : null,
    );
  }

  async function load() {
    try {
      const data = await get(`/api/actions/${id}`);
      if (!stopped) render(data);
    } catch (error) {
      if (!stopped) {
        clear(container, h("h1", {}, `Action #${id}`));
        complain(error);
      }
    }
  }

  const refresh = throttled(load, 500);
  const unlisten = live.listen((message) => {
    if (message.kind === "connected" || message.count > message.events.length || message.events.some((e) => e.action_id === id)) refresh();
  });
  container.append(h("p", { class: "muted" }, "Loading…"));
  load();
  return {
    dispose() {
      stopped = true;
      refresh.cancel();
      unlisten();
    },
  };
}
