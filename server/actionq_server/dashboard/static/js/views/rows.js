// What the action list and the dead-letter view share: a row's buttons.

import { post } from "../api.js";
import { CANCELLABLE, DEAD, badge, h } from "../dom.js";

// The Retry or Cancel button an action's status allows; after it works the
// row shows the new status and offers the other one.
export function actionButton(action, statusCell, { say, complain }) {
  const holder = h("span", {});
  const draw = (status) => {
    statusCell.replaceChildren(badge(status));
    let button = null;
    if (DEAD.includes(status)) {
      button = h("button", { type: "button", class: "small", dataset: { act: "retry" }, onclick: () => retry() }, "Retry");
    } else if (CANCELLABLE.includes(status)) {
      // Two clicks: the first arms the button, the second cancels.
      button = h("button", { type: "button", class: "small danger", dataset: { act: "cancel" } }, "Cancel");
      button.addEventListener("click", () => {
        if (button.dataset.armed) return cancel();
        button.dataset.armed = "1";
        button.textContent = "Confirm cancel";
      });
    }
    holder.replaceChildren(...(button ? [button] : []));
  };
  const retry = async () => {
    try {
      await post("/api/actions/retry", { ids: [action.id] });
      say(`Action #${action.id} retried: pending again with fresh attempts.`);
      draw("pending");
    } catch (error) {
      complain(error);
    }
  };
  const cancel = async () => {
    try {
      const answer = await post("/api/actions/cancel", { id: action.id, reason: "cancelled from the dashboard" });
      say(`Action #${action.id} cancelled.`);
      draw(answer.action.status);
    } catch (error) {
      complain(error);
    }
  };
  draw(action.status);
  return holder;
}
