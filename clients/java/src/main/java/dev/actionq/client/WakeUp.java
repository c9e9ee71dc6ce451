package dev.actionq.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a wait ended: a signal ({@link #signal}, {@link #payload}, {@link #signalId}) or its
 * timeout ({@link #timedOut}, payload {}). Returned by {@link Job#waitForSignal} and
 * {@link Job#sleep}; the server also stores it as the wait's step checkpoint.
 *
 * @param step the wait's step name
 * @param signal the signal waited for ("" for a sleep)
 * @param payload the signal's payload, decoded losslessly ({} on a timeout)
 * @param timedOut true when the timeout (or the sleep) ended the wait
 * @param signalId the signal's id (0 on a timeout)
 * @param wokeAt when it woke, when known
 */
public record WakeUp(
    String step, String signal, ObjectNode payload, boolean timedOut, long signalId,
    Optional<Instant> wokeAt) {

  public WakeUp {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(wokeAt, "wokeAt");
  }

  /** The wake-up a Suspend response carries. */
  public static WakeUp of(dev.actionq.v1.WakeUp wake) {
    return new WakeUp(wake.getStep(), wake.getSignal(), Json.parseObject(wake.getPayloadJson()),
        wake.getTimedOut(), wake.getSignalId(),
        wake.hasWokeAt() ? Optional.of(Protos.instant(wake.getWokeAt())) : Optional.empty());
  }

  /**
   * The wake-up a wait stored as its step's checkpoint (state {@code {"signal", "payload",
   * "timed_out", "signal_id", "woke_at"}}).
   */
  public static WakeUp fromCheckpoint(CheckpointRecord checkpoint) {
    ObjectNode state = checkpoint.state();
    JsonNode payload = state.path("payload");
    Optional<Instant> wokeAt = Optional.empty();
    if (state.path("woke_at").isTextual()) {
      try {
        wokeAt = Optional.of(OffsetDateTime.parse(state.get("woke_at").asText()).toInstant());
      } catch (DateTimeParseException e) {
        throw new IllegalStateException("checkpoint " + checkpoint.step()
            + " has an unreadable woke_at: " + state.get("woke_at"), e);
      }
    }
    return new WakeUp(checkpoint.step(), state.path("signal").asText(""),
        payload.isObject() ? (ObjectNode) payload : Json.object(),
        state.path("timed_out").asBoolean(false), state.path("signal_id").asLong(0), wokeAt);
  }
}
