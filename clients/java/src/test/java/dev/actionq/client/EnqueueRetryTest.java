package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.EnqueuedAction;
import dev.actionq.v1.NewAction;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EnqueueRetryTest {

  private static final EnqueueRequest ONE = EnqueueRequest.newBuilder()
      .addActions(NewAction.newBuilder().setActionType("t").setProject("p")
          .setPayloadJson("{\"n\": 9007199254740993}"))
      .build();

  /**
   * Answers Enqueue attempt i with {@code answers[i]}: null stores the actions (replayed when
   * the request_id was seen before), a status refuses, {@link #SILENT} never answers. Records
   * every request.
   */
  private static final class Flaky extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    static final Status SILENT = Status.fromCode(Status.Code.OK);
    private final List<Status> answers;
    final List<EnqueueRequest> seen = Collections.synchronizedList(new ArrayList<>());
    /** Released when the test ends, so that a silent call's thread ends too. */
    final CountDownLatch done = new CountDownLatch(1);

    Flaky(Status... answers) {
      this.answers = List.of(answers);
    }

    @Override
    public void enqueue(EnqueueRequest request, StreamObserver<EnqueueResponse> response) {
      int attempt = seen.size();
      boolean replay = seen.stream()
          .anyMatch(r -> r.getRequestId().equals(request.getRequestId()));
      seen.add(request);
      Status answer = attempt < answers.size() ? answers.get(attempt) : null;
      if (answer == SILENT) {
        try {
          done.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return; // the client's deadline has passed meanwhile
      }
      if (answer != null) {
        response.onError(answer.asRuntimeException());
        return;
      }
      EnqueueResponse.Builder out = EnqueueResponse.newBuilder().setReplayed(replay);
      for (NewAction a : request.getActionsList()) {
        out.addActions(EnqueuedAction.newBuilder().setAction(Action.newBuilder()
            .setId(1).setActionType(a.getActionType()).setPayloadJson(a.getPayloadJson())));
      }
      response.onNext(out.build());
      response.onCompleted();
    }
  }

  @Test
  void everyCallSendsAFreshRequestId() throws Exception {
    Flaky service = new Flaky();
    try (InProcess server = InProcess.serve(service)) {
      server.client.enqueue(ONE);
      server.client.enqueue(ONE);
    }
    assertEquals(2, service.seen.size());
    String first = service.seen.get(0).getRequestId();
    assertEquals(first, UUID.fromString(first).toString());
    assertNotEquals(first, service.seen.get(1).getRequestId());
  }

  @Test
  void unavailableIsRetriedUnderTheSameRequestId() throws Exception {
    Flaky service = new Flaky(Status.UNAVAILABLE, Status.UNAVAILABLE);
    EnqueueResponse response;
    try (InProcess server = InProcess.serve(service)) {
      response = server.client.enqueue(ONE);
    }
    assertEquals(3, service.seen.size());
    String id = service.seen.get(0).getRequestId();
    for (EnqueueRequest sent : service.seen) {
      assertEquals(id, sent.getRequestId());
      assertEquals(ONE.getActionsList(), sent.getActionsList());
    }
    assertEquals("{\"n\": 9007199254740993}", response.getActions(0).getAction().getPayloadJson());
  }

  @Test
  void aDeadlineWithoutAnswerIsRetried() throws Exception {
    Flaky service = new Flaky(Flaky.SILENT);
    try (InProcess server = InProcess.serve(service,
        ActionQueueClient.builder().timeout(Duration.ofMillis(300)))) {
      EnqueueResponse response = server.client.enqueue(ONE);
      assertTrue(response.getReplayed(), "the retry answers as a replay of the lost first call");
    } finally {
      service.done.countDown();
    }
    assertEquals(2, service.seen.size());
    assertEquals(service.seen.get(0).getRequestId(), service.seen.get(1).getRequestId());
  }

  @Test
  void theCallersRequestIdIsKept() throws Exception {
    Flaky service = new Flaky(Status.UNAVAILABLE);
    try (InProcess server = InProcess.serve(service)) {
      server.client.enqueue(ONE.toBuilder().setRequestId("order-17").build());
    }
    assertEquals(List.of("order-17", "order-17"),
        service.seen.stream().map(EnqueueRequest::getRequestId).toList());
  }

  @Test
  void otherErrorsAreNotRetried() throws Exception {
    Flaky service = new Flaky(Status.INVALID_ARGUMENT.withDescription("actions[0].project"));
    try (InProcess server = InProcess.serve(service)) {
      ActionqException e = assertThrows(ActionqException.class, () -> server.client.enqueue(ONE));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    }
    assertEquals(1, service.seen.size());
  }

  @Test
  void attemptsAreBounded() throws Exception {
    Flaky service = new Flaky(Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE);
    try (InProcess server = InProcess.serve(service,
        ActionQueueClient.builder().enqueueAttempts(2))) {
      ActionqException e = assertThrows(ActionqException.class, () -> server.client.enqueue(ONE));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
    assertEquals(2, service.seen.size());
  }
}
