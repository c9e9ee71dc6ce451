// Queues at a glance: counts by status, throughput, oldest due age, pause and
// resume; re-read (throttled) whenever the live stream brings events.

import { get, post } from "../api.js";
import { age, badge, clear, count, h, table, time } from "../dom.js";
import { throttled } from "../live.js";

const COUNTS = [
  ["pending", "Pending"],
  ["scheduled", "Scheduled"],
  ["retryable", "Retrying"],
  ["claimed", "Claimed"],
  ["waiting", "Waiting"],
  ["failed", "Failed"],
  ["rejected", "Rejected"],
  ["cancelled", "Cancelled"],
  ["completed_last_minute", "Done/min"],
  ["failed_last_minute", "Failed/min"],
];
const REFRESH_MS = 1000;
const FEED = 25;

function sum(rows) {
  const total = Object.fromEntries(COUNTS.map(([key]) => [key, 0]));
  total.oldest_pending_seconds = 0;
  for (const row of rows) {
    for (const [key] of COUNTS) total[key] += Number(row[key] || 0);
    total.oldest_pending_seconds = Math.max(total.oldest_pending_seconds, row.oldest_pending_seconds || 0);
  }
  return total;
}

function listLink(label, params) {
  const query = new URLSearchParams(params).toString();
  return h("a", { href: `#/actions?${query}` }, label);
}

function cell(key, value, params) {
  const text = count(value);
  const status = { pending: "pending", claimed: "claimed", waiting: "waiting", failed: "failed", rejected: "rejected", cancelled: "cancelled" }[key];
  return h(
    "td",
    { class: `num${Number(value) ? "" : " zero"}`, dataset: { col: key } },
    status && Number(value) ? listLink(text, { ...params, status }) : text,
  );
}

export function show(container, { live, say, complain }) {
  const tiles = h("section", { class: "tiles" });
  const queues = h("section", {});
  const types = h("section", {});
  const feed = h("ol", { class: "feed", id: "feed" }, h("li", { class: "muted" }, "None yet: they show here as they happen."));
  const stamp = h("span", { class: "muted", id: "as-of" });
  container.append(
    h("div", { class: "title" }, h("h1", {}, "Overview"), stamp),
    tiles,
    h("h2", {}, "Queues"),
    queues,
    h("h2", {}, "By action type"),
    types,
    h("h2", {}, "Events since this page opened"),
    feed,
  );
  let stopped = false;
  let feedItems = [];

  async function pause(queue, paused) {
    try {
      await post(paused ? "/api/queues/resume" : "/api/queues/pause", { queue, reason: paused ? undefined : "paused from the dashboard" });
      say(`Queue ${queue} ${paused ? "resumed" : "paused"}.`);
      await load();
    } catch (error) {
      complain(error);
    }
  }

  function render(data) {
    const byQueue = new Map(data.queues.map((q) => [q.name, { queue: q, rows: [] }]));
    for (const row of data.stats) {
      if (!byQueue.has(row.queue)) byQueue.set(row.queue, { queue: { name: row.queue, paused: false }, rows: [] });
      byQueue.get(row.queue).rows.push(row);
    }
    const total = sum(data.stats);
    const dead = total.failed + total.rejected + total.cancelled;
    clear(
      tiles,
      [
        ["Pending", total.pending, "pending"],
        ["Claimed", total.claimed, "claimed"],
        ["Waiting", total.waiting, "waiting"],
        ["Dead", dead, "dead"],
        ["Done / min", total.completed_last_minute, "done-per-minute"],
        ["Failed / min", total.failed_last_minute, "failed-per-minute"],
      ].map(([label, value, key]) => h("div", { class: "tile", dataset: { tile: key } }, h("b", {}, count(value)), h("span", {}, label))),
      h("div", { class: "tile", dataset: { tile: "oldest-due" } }, h("b", {}, age(total.oldest_pending_seconds)), h("span", {}, "Oldest due")),
    );
    const queueRows = [...byQueue.values()]
      .sort((a, b) => a.queue.name.localeCompare(b.queue.name))
      .map(({ queue, rows }) => {
        const t = sum(rows);
        const paused = Boolean(queue.paused);
        return h(
          "tr",
          { dataset: { queue: queue.name }, class: paused ? "paused" : "" },
          h("td", {}, listLink(queue.name, { queue: queue.name })),
          h(
            "td",
            { dataset: { col: "state" }, title: paused ? `paused by ${queue.paused_by || "?"} at ${time(queue.paused_at)}` : "" },
            paused ? badge("paused") : h("span", { class: "muted" }, "active"),
          ),
          COUNTS.map(([key]) => cell(key, t[key], { queue: queue.name })),
          h("td", { class: "num", dataset: { col: "oldest_due" } }, age(t.oldest_pending_seconds)),
          h(
            "td",
            {},
            h("button", { type: "button", class: "small", dataset: { act: paused ? "resume" : "pause" }, onclick: () => pause(queue.name, paused) }, paused ? "Resume" : "Pause"),
          ),
        );
      });
    const columns = [{ label: "Queue" }, { label: "State" }, ...COUNTS.map(([, label]) => ({ label, class: "num" })), { label: "Oldest due", class: "num" }, { label: "" }];
    clear(queues, queueRows.length ? table(columns, queueRows, { id: "queues" }) : h("p", { class: "muted" }, "No queues yet: enqueue an action and it shows here."));
    const typeRows = data.stats.map((row) =>
      h(
        "tr",
        { dataset: { queue: row.queue, type: row.action_type } },
        h("td", {}, row.queue),
        h("td", {}, listLink(row.action_type, { queue: row.queue, type: row.action_type })),
        COUNTS.map(([key]) => cell(key, row[key], { queue: row.queue, type: row.action_type })),
        h("td", { class: "num" }, age(row.oldest_pending_seconds)),
      ),
    );
    clear(
      types,
      typeRows.length
        ? table([{ label: "Queue" }, { label: "Type" }, ...COUNTS.map(([, label]) => ({ label, class: "num" })), { label: "Oldest due", class: "num" }], typeRows, { id: "types" })
        : h("p", { class: "muted" }, "Nothing unfinished, dead or finished in the last minute."),
    );
    stamp.textContent = `as of ${time(data.as_of)}`;
    container.dataset.loadedAt = String(performance.now());
  }

  async function load() {
    try {
      const data = await get("/api/overview");
      if (!stopped) render(data);
    } catch (error) {
      if (!stopped) complain(error);
    }
  }

  function addEvents(events) {
    feedItems = [...events.slice().reverse(), ...feedItems].slice(0, FEED);
    clear(
      feed,
      feedItems.map((e) =>
        h(
          "li",
          {},
          h("time", {}, time(e.created_at)),
          " ",
          h("b", {}, e.event_type),
          e.action_id ? [" ", h("a", { href: `#/actions/${e.action_id}` }, `#${e.action_id}`)] : null,
          h("span", { class: "muted" }, ` by ${e.actor}`),
        ),
      ),
    );
  }

  const refresh = throttled(load, REFRESH_MS);
  const unlisten = live.listen((message) => {
    if (message.kind === "events") addEvents(message.events);
    refresh();
  });
  load();
  return {
    dispose() {
      stopped = true;
      refresh.cancel();
      unlisten();
    },
  };
}
