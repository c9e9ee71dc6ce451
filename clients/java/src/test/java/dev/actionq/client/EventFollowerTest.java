package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.Event;
import dev.actionq.v1.GetQueueStatsRequest;
import dev.actionq.v1.GetQueueStatsResponse;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventFollowerTest {

  /** How the stand-in answers one WatchEvents call. */
  private interface Script {
    void answer(WatchEventsRequest request, StreamObserver<WatchEventsResponse> out);
  }

  /** Answers the i-th WatchEvents with {@code scripts[i]} (the last one after that). */
  private static final class Log extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    private final List<Script> scripts;
    final List<WatchEventsRequest> seen = Collections.synchronizedList(new ArrayList<>());

    Log(Script... scripts) {
      this.scripts = List.of(scripts);
    }

    @Override
    public void watchEvents(
        WatchEventsRequest request, StreamObserver<WatchEventsResponse> response) {
      int call = seen.size();
      seen.add(request);
      scripts.get(Math.min(call, scripts.size() - 1)).answer(request, response);
    }

    @Override
    public void getQueueStats(
        GetQueueStatsRequest request, StreamObserver<GetQueueStatsResponse> response) {
      response.onNext(GetQueueStatsResponse.newBuilder().setLatestEventCursor("end-7").build());
      response.onCompleted();
    }
  }

  private static Event event(String type, String cursor) {
    return Event.newBuilder().setEventType(type).setCursor(cursor).build();
  }

  private static WatchEventsResponse message(String cursor, Event... events) {
    return WatchEventsResponse.newBuilder().setCursor(cursor).addAllEvents(List.of(events))
        .build();
  }

  @Test
  void resumesFromTheLastCursorAfterABreakAndAnEnd() throws Exception {
    Log log = new Log(
        (request, out) -> {
          out.onNext(message("m1", event("e1", "c1"), event("e2", "c2")));
          out.onNext(message("m1b")); // the cursor moved past events the filters skipped
          out.onError(Status.UNAVAILABLE.withDescription("server restarting").asException());
        },
        (request, out) -> {
          out.onNext(message("m2", event("e3", "c3")));
          out.onCompleted(); // a draining server ends the stream cleanly
        },
        (request, out) -> out.onNext(message("m3", event("e4", "c4")))); // then stays open
    try (InProcess server = InProcess.serve(log);
        EventFollower events = server.client.followEvents(
            WatchEventsRequest.newBuilder().setAfterCursor("start").addActionIds(5).build(),
            Duration.ofMillis(10))) {
      List<String> got = new ArrayList<>();
      List<String> cursors = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(events.next().getEventType());
        cursors.add(events.cursor());
      }
      assertEquals(List.of("e1", "e2", "e3", "e4"), got);
      assertEquals(List.of("c1", "m1", "m2", "m3"), cursors);
      assertEquals(List.of("start", "m1b", "m2"),
          log.seen.stream().map(WatchEventsRequest::getAfterCursor).toList());
      for (WatchEventsRequest sent : log.seen) {
        assertEquals(List.of(5L), sent.getActionIdsList());
      }
    }
  }

  @Test
  void aStreamClosedForFallingBehindIsReopenedFromTheLastCursorHandedOut() throws Exception {
    com.google.rpc.Status tooSlow = com.google.rpc.Status.newBuilder()
        .setCode(com.google.rpc.Code.RESOURCE_EXHAUSTED.getNumber())
        .setMessage("the watcher fell too far behind")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setDomain(ActionqException.DOMAIN).setReason("WATCHER_TOO_SLOW")
            .putMetadata("cursor", "m1").build()))
        .build();
    Log log = new Log(
        (request, out) -> {
          out.onNext(message("m1", event("e1", "c1")));
          out.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(tooSlow));
        },
        (request, out) -> {
          out.onNext(message("m2", event("e2", "c2")));
          out.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(tooSlow));
        },
        (request, out) -> out.onNext(message("m3", event("e3", "c3")))); // then stays open
    // A pause between attempts longer than the test's timeout: reopening must not wait.
    try (InProcess server = InProcess.serve(log);
        EventFollower events = server.client.followEvents(
            WatchEventsRequest.newBuilder().setAfterCursor("start").build(),
            Duration.ofMinutes(5))) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(events.next().getEventType());
      }
      assertEquals(List.of("e1", "e2", "e3"), got);
      assertEquals("m3", events.cursor());
      assertEquals(List.of("start", "m1", "m2"),
          log.seen.stream().map(WatchEventsRequest::getAfterCursor).toList());
    }
  }

  @Test
  void closeEndsAWaitingNext() throws Exception {
    Log log = new Log((request, out) -> out.onNext(message("m1", event("e1", "c1"))));
    try (InProcess server = InProcess.serve(log)) {
      EventFollower events = server.client.followEvents(WatchEventsRequest.getDefaultInstance());
      assertEquals("e1", events.next().getEventType());
      CompletableFuture<Event> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return events.next();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      events.close();
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> waiting.get(5, TimeUnit.SECONDS));
      assertEquals(Status.Code.CANCELLED, ((ActionqException) e.getCause()).code());
      assertEquals("m1", events.cursor()); // e1 was its message's last event
    }
  }

  @Test
  void anInterruptEndsAWaitingNextAndALaterOneResumes() throws Exception {
    Log log = new Log(
        (request, out) -> out.onNext(message("m1", event("e1", "c1"))), // then stays open
        (request, out) -> out.onNext(message("m2", event("e2", "c2"))));
    try (InProcess server = InProcess.serve(log);
        EventFollower events =
            server.client.followEvents(WatchEventsRequest.getDefaultInstance())) {
      assertEquals("e1", events.next().getEventType());
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, events::next);
      assertFalse(Thread.currentThread().isInterrupted());
      assertEquals("e2", events.next().getEventType());
      assertEquals(List.of("", "m1"),
          log.seen.stream().map(WatchEventsRequest::getAfterCursor).toList());
    }
  }

  @Test
  void aRefusalIsThrownNotRetried() throws Exception {
    Log log = new Log((request, out) -> out.onError(Status.INVALID_ARGUMENT
        .withDescription("after_cursor: not a cursor").asException()));
    try (InProcess server = InProcess.serve(log);
        EventFollower events = server.client.followEvents(
            WatchEventsRequest.newBuilder().setAfterCursor("bogus").build())) {
      ActionqException e = assertThrows(ActionqException.class, events::next);
      assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
      assertEquals(1, log.seen.size());
    }
  }

  @Test
  void noServerAtTheStartIsThrownAtOnce() {
    try (ActionQueueClient client = InProcess.nowhere();
        EventFollower events = client.followEvents(WatchEventsRequest.getDefaultInstance())) {
      ActionqException e = assertThrows(ActionqException.class, events::next);
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
  }

  @Test
  void fromEndIsPinnedToACursorOnce() throws Exception {
    Log log = new Log(
        (request, out) -> out.onError(Status.UNAVAILABLE.asException()),
        (request, out) -> out.onNext(message("m1", event("e1", "c1"))));
    try (InProcess server = InProcess.serve(log);
        EventFollower events = server.client.followEvents(
            WatchEventsRequest.newBuilder().setFromEnd(true).build(), Duration.ofMillis(10))) {
      // The first stream breaks before its first message: that is an unreachable server.
      assertThrows(ActionqException.class, events::next);
      assertEquals("end-7", log.seen.get(0).getAfterCursor());
      assertFalse(log.seen.get(0).getFromEnd());
    }
  }
}
