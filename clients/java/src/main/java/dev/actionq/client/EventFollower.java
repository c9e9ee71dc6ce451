package dev.actionq.client;

import dev.actionq.v1.Event;
import dev.actionq.v1.GetQueueStatsRequest;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows the event log from a cursor, one event at a time, across disconnects: when the
 * WatchEvents stream ends (a draining server ends it cleanly), breaks with UNAVAILABLE, or is
 * closed because this reader fell too far behind (RESOURCE_EXHAUSTED, reason
 * WATCHER_TOO_SLOW), it opens a new one from the last cursor it handed out, so no event is lost
 * or delivered twice.
 *
 * <pre>{@code
 * try (EventFollower events = client.followEvents(
 *     WatchEventsRequest.newBuilder().setAfterCursor(saved).build())) {
 *   while (true) {
 *     Event e = events.next();          // blocks until the next event
 *     handle(e, Json.payload(e));
 *     saved = events.cursor();          // where to resume, even in another process
 *   }
 * }
 * }</pre>
 *
 * <p>A server that cannot be reached before the first message is an error at once
 * ({@link ActionqException} with UNAVAILABLE), as is any error other than UNAVAILABLE. Use from
 * one thread; {@link #close()} may be called from any thread and ends a waiting {@link #next()}.
 */
public final class EventFollower implements AutoCloseable {

  private final ActionQueueClient client;
  private final WatchEventsRequest request;
  private final Duration retryDelay;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final ArrayDeque<Event> pending = new ArrayDeque<>();

  private String cursor;
  private String batchCursor = "";
  private boolean connected;
  private boolean endPinned;
  private boolean reopenedTooSlow;
  private Iterator<WatchEventsResponse> stream;
  private volatile Context.CancellableContext streamContext;

  EventFollower(ActionQueueClient client, WatchEventsRequest request, Duration retryDelay) {
    this.client = client;
    this.request = request;
    this.retryDelay = retryDelay;
    this.cursor = request.getAfterCursor();
  }

  /**
   * The cursor to resume from: the cursor of the last event {@link #next()} returned, or the
   * stream's own cursor once every event of its last message was returned (it may be past the
   * last event). Opaque: store it and pass it back as {@code after_cursor}, never parse it.
   */
  public String cursor() {
    return cursor;
  }

  /**
   * The next event, waiting for it as long as it takes.
   *
   * @throws ActionqException when the server cannot be reached before the first message,
   *     refuses the request (e.g. INVALID_ARGUMENT for a bad cursor), or after {@link #close()}
   *     (CANCELLED)
   * @throws InterruptedException when the calling thread is interrupted (the stream is then
   *     cancelled; a later {@code next()} resumes from {@link #cursor()})
   */
  public Event next() throws InterruptedException {
    while (true) {
      Event event = pending.poll();
      if (event != null) {
        cursor = pending.isEmpty() ? batchCursor : event.getCursor();
        return event;
      }
      if (closed.getCount() == 0) {
        throw ActionqException.from(Status.CANCELLED.withDescription("follower closed")
            .asRuntimeException());
      }
      if (Thread.interrupted()) {
        dropStream();
        throw new InterruptedException();
      }
      try {
        if (stream == null) {
          stream = open();
        }
        if (stream.hasNext()) {
          WatchEventsResponse message = stream.next();
          connected = true;
          reopenedTooSlow = false;
          pending.addAll(message.getEventsList());
          batchCursor = message.getCursor();
          if (pending.isEmpty() && !batchCursor.isEmpty()) {
            cursor = batchCursor;
          }
          continue;
        }
      } catch (StatusRuntimeException e) {
        if (closed.getCount() == 0) {
          continue; // reported as closed above
        }
        if (Thread.interrupted()) { // grpc cancels a blocking stream whose thread is interrupted
          dropStream();
          throw new InterruptedException();
        }
        ActionqException failure = ActionqException.from(e);
        if (failure.isWatcherTooSlow()) {
          // The server closed the stream because this reader fell behind: every event up to
          // the cursor was handed out, so reopen from it, at once unless that just happened.
          dropStream();
          if (!reopenedTooSlow) {
            reopenedTooSlow = true;
            continue;
          }
        } else if (failure.code() != Status.Code.UNAVAILABLE || !connected) {
          throw failure;
        }
      }
      // The stream ended or broke: resume from the cursor after a pause.
      dropStream();
      closed.await(retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Ends the stream; a waiting or later {@link #next()} throws CANCELLED. */
  @Override
  public void close() {
    closed.countDown();
    Context.CancellableContext ctx = streamContext;
    if (ctx != null) {
      ctx.cancel(null);
    }
  }

  /** Opens a stream after {@link #cursor}, resolving {@code from_end} to a cursor first. */
  private Iterator<WatchEventsResponse> open() {
    WatchEventsRequest.Builder next = request.toBuilder().setAfterCursor(cursor);
    if (request.getFromEnd()) {
      if (!endPinned) {
        // Pin "the end" once, so that a reconnect does not skip what was written meanwhile.
        cursor = client.getQueueStats(GetQueueStatsRequest.getDefaultInstance())
            .getLatestEventCursor();
        endPinned = true;
      }
      next.setFromEnd(false).setAfterCursor(cursor);
    }
    Context.CancellableContext ctx = Context.current().withCancellation();
    streamContext = ctx;
    if (closed.getCount() == 0) {
      ctx.cancel(null);
    }
    Context previous = ctx.attach();
    try {
      return client.blockingStreamStub().watchEvents(next.build());
    } finally {
      ctx.detach(previous);
    }
  }

  private void dropStream() {
    stream = null;
    Context.CancellableContext ctx = streamContext;
    streamContext = null;
    if (ctx != null) {
      ctx.cancel(null);
    }
  }
}
