// Cron schedules: when each runs next, what it enqueues; pause and resume.

import { get, post } from "../api.js";
import { actionLink, badge, clear, h, table, time } from "../dom.js";

export function show(container, { say, complain }) {
  const results = h("section", {}, h("p", { class: "muted" }, "Loading…"));
  container.append(h("div", { class: "title" }, h("h1", {}, "Schedules")), results);
  let stopped = false;

  async function toggle(schedule) {
    try {
      await post(schedule.paused ? "/api/schedules/resume" : "/api/schedules/pause", { name: schedule.name });
      say(`Schedule ${schedule.name} ${schedule.paused ? "resumed" : "paused"}.`);
      await load();
    } catch (error) {
      complain(error);
    }
  }

  async function load() {
    try {
      const { schedules } = await get("/api/schedules");
      if (stopped) return;
      const rows = schedules.map((s) =>
        h(
          "tr",
          { dataset: { schedule: s.name } },
          h("td", {}, s.name),
          h("td", {}, h("code", {}, s.cron), " ", h("span", { class: "muted" }, s.time_zone)),
          h("td", {}, s.queue),
          h("td", {}, s.action_type),
          h("td", {}, s.project),
          h("td", { dataset: { col: "state" } }, s.paused ? badge("paused") : h("span", { class: "muted" }, "active")),
          h("td", {}, s.paused ? "—" : time(s.next_run_at)),
          h("td", {}, time(s.last_run_at), s.last_action_id ? [" ", actionLink(s.last_action_id)] : null),
          h("td", {}, h("button", { type: "button", class: "small", dataset: { act: s.paused ? "resume" : "pause" }, onclick: () => toggle(s) }, s.paused ? "Resume" : "Pause")),
        ),
      );
      clear(
        results,
        rows.length
          ? table(["Name", "Cron", "Queue", "Type", "Project", "State", "Next run", "Last run", ""].map((label) => ({ label })), rows, { id: "schedules" })
          : h("p", { class: "muted" }, "No schedules: actionctl schedule create adds one."),
      );
    } catch (error) {
      if (!stopped) {
        clear(results);
        complain(error);
      }
    }
  }

  load();
  return { dispose: () => { stopped = true; } };
}
