package dev.actionq.client;

import com.google.protobuf.Timestamp;
import dev.actionq.v1.Backoff;
import dev.actionq.v1.BackoffStrategy;
import java.time.Duration;
import java.time.Instant;

/** Conversions between java.time and the protobuf well-known types the API uses. */
public final class Protos {

  private Protos() {}

  /** A protobuf Duration equal to {@code d}. */
  public static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  /** A java.time Duration equal to {@code d}. */
  public static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /**
   * A retry policy whose delay after attempt n is {@code base * 2^(n-1)}, at most {@code max},
   * with a random {@code jitter} fraction (0 to 1) taken off.
   */
  public static Backoff exponentialBackoff(Duration base, Duration max, double jitter) {
    return Backoff.newBuilder().setStrategy(BackoffStrategy.BACKOFF_STRATEGY_EXPONENTIAL)
        .setBase(duration(base)).setMax(duration(max)).setJitter(jitter).build();
  }

  /** A retry policy that waits {@code delay} before every retry. */
  public static Backoff fixedBackoff(Duration delay) {
    return Backoff.newBuilder().setStrategy(BackoffStrategy.BACKOFF_STRATEGY_FIXED)
        .setBase(duration(delay)).build();
  }

  /** The instant of {@code t}. */
  public static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** A protobuf Timestamp at {@code i}. */
  public static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
