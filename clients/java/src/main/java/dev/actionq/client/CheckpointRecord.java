package dev.actionq.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Checkpoint;
import java.time.Instant;
import java.util.Objects;

/**
 * A checkpoint as the server stored it, its state decoded losslessly by {@link Json}: state a
 * worker saved under a step name while it held the action's lease. {@link #proto()} is the
 * message the server sent.
 */
public final class CheckpointRecord {

  private final Checkpoint proto;
  private final ObjectNode state;

  private CheckpointRecord(Checkpoint proto, ObjectNode state) {
    this.proto = proto;
    this.state = state;
  }

  /** The record of {@code checkpoint}, its state decoded from {@code state_json}. */
  public static CheckpointRecord of(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    return new CheckpointRecord(checkpoint, Json.parseObject(checkpoint.getStateJson()));
  }

  /** The checkpoint as the server sent it. */
  public Checkpoint proto() {
    return proto;
  }

  /** The action's id. */
  public long actionId() {
    return proto.getActionId();
  }

  /** The step's name, unique within the action. */
  public String step() {
    return proto.getStep();
  }

  /** The saved state, the empty object when it is empty; integers keep every digit. */
  public ObjectNode state() {
    return state;
  }

  /** The attempt that last saved it. */
  public int attempt() {
    return proto.getAttempt();
  }

  /** When the step was first saved (database time). */
  public Instant createdAt() {
    return Protos.instant(proto.getCreatedAt());
  }

  /** When it was last saved (database time). */
  public Instant updatedAt() {
    return Protos.instant(proto.getUpdatedAt());
  }

  @Override
  public String toString() {
    return "CheckpointRecord{step=" + step() + ", attempt=" + attempt() + ", state=" + state + "}";
  }
}
