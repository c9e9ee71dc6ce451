package dev.actionq.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import java.util.Objects;

/**
 * One claimed action as a {@link Handler} sees it: the action as the server sent it and its
 * payload, decoded losslessly by {@link Json} (integers keep every digit).
 *
 * @param action the claimed action (status, attempt, lineage, …; its {@code payload_json} is
 *     the text {@code payload} was decoded from)
 * @param payload the action's payload, the empty object when it has none
 */
public record Job(Action action, ObjectNode payload) {

  /** Checks that both parts are present. */
  public Job {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(payload, "payload");
  }

  /** The job of {@code action}, its payload decoded from {@code payload_json}. */
  public static Job of(Action action) {
    return new Job(action, Json.payload(action));
  }

  /** The action's id. */
  public long id() {
    return action.getId();
  }

  /** The action's type, e.g. {@code "email.send"}. */
  public String actionType() {
    return action.getActionType();
  }
}
