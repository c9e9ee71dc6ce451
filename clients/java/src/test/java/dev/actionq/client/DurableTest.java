package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ActionStatus;
import dev.actionq.v1.BackoffStrategy;
import dev.actionq.v1.ErrorReason;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.GetActionResponse;
import dev.actionq.v1.RetryRequest;
import dev.actionq.v1.RetryResponse;
import dev.actionq.v1.WaitActionRequest;
import dev.actionq.v1.WaitActionResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The client's durable-execution calls against an in-process stand-in server: waitFor (its
 * deadline, its typed timeout, the actions in order), retry by ids, the new error reasons and the
 * backoff helpers.
 */
class DurableTest {

  private static com.google.rpc.Status refusal(Code code, String reason, Map<String, String> md) {
    return com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage("refused")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(ActionqException.DOMAIN)
            .setReason(reason).putAllMetadata(md).build()))
        .build();
  }

  /**
   * Answers WaitAction with the named actions completed (or with {@link #refusal} when set),
   * noting the time left on the call's deadline; Retry with its ids; GetAction with
   * {@link #refusal}.
   */
  private static final class StandIn extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    final AtomicLong deadlineMillis = new AtomicLong(-1);
    final AtomicReference<WaitActionRequest> waited = new AtomicReference<>();
    final List<RetryRequest> retried = Collections.synchronizedList(new ArrayList<>());
    volatile com.google.rpc.Status refusal;

    @Override
    public void waitAction(WaitActionRequest request,
        StreamObserver<WaitActionResponse> response) {
      waited.set(request);
      Deadline deadline = Context.current().getDeadline();
      deadlineMillis.set(deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS));
      if (refusal != null) {
        response.onError(StatusProto.toStatusRuntimeException(refusal));
        return;
      }
      WaitActionResponse.Builder answer = WaitActionResponse.newBuilder();
      for (long id : request.getIdsList()) {
        answer.addActions(Action.newBuilder().setId(id)
            .setStatus(ActionStatus.ACTION_STATUS_COMPLETED));
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void retry(RetryRequest request, StreamObserver<RetryResponse> response) {
      retried.add(request);
      response.onNext(RetryResponse.newBuilder().addAllRetriedIds(request.getIdsList()).build());
      response.onCompleted();
    }

    @Override
    public void getAction(GetActionRequest request, StreamObserver<GetActionResponse> response) {
      response.onError(StatusProto.toStatusRuntimeException(refusal));
    }
  }

  @Test
  void waitForSendsIdsAndTimeoutAndGivesTheCallTimeoutPlusTheDefaultDeadline() throws Exception {
    StandIn service = new StandIn();
    try (InProcess server = InProcess.serve(service)) {
      List<Action> actions = server.client.waitFor(List.of(2L, 1L, 2L), Duration.ofSeconds(25));
      assertEquals(List.of(2L, 1L, 2L), actions.stream().map(Action::getId).toList());
      assertEquals(List.of(2L, 1L, 2L), service.waited.get().getIdsList());
      assertEquals(Duration.ofSeconds(25), Protos.duration(service.waited.get().getTimeout()));
      // 25 s + the 10 s default timeout, less the time the call took to arrive.
      long left = service.deadlineMillis.get();
      assertTrue(left > 30_000 && left <= 35_000, "deadline " + left + " ms");
    }
  }

  @Test
  void waitForThrowsWaitTimeoutExceptionOnWaitTimeoutOnly() throws Exception {
    StandIn service = new StandIn();
    try (InProcess server = InProcess.serve(service)) {
      service.refusal = refusal(Code.DEADLINE_EXCEEDED, "WAIT_TIMEOUT", Map.of());
      WaitTimeoutException timeout = assertThrows(WaitTimeoutException.class,
          () -> server.client.waitFor(List.of(1L), Duration.ofMillis(10)));
      assertTrue(timeout.isWaitTimeout());
      assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, timeout.code());

      service.refusal = refusal(Code.NOT_FOUND, "ACTION_NOT_FOUND", Map.of("action_id", "7"));
      ActionqException missing = assertThrows(ActionqException.class,
          () -> server.client.waitFor(List.of(7L), Duration.ofMillis(10)));
      assertFalse(missing instanceof WaitTimeoutException);
      assertTrue(missing.isActionNotFound());
      assertEquals("7", missing.metadata().get("action_id"));

      assertThrows(IllegalArgumentException.class,
          () -> server.client.waitFor(List.of(1L), Duration.ofMillis(-1)));
    }
  }

  @Test
  void retrySendsTheIds() throws Exception {
    StandIn service = new StandIn();
    try (InProcess server = InProcess.serve(service)) {
      RetryResponse response = server.client.retry(List.of(3L, 4L));
      assertEquals(List.of(3L, 4L), response.getRetriedIdsList());
      assertEquals(List.of(3L, 4L), service.retried.get(0).getIdsList());
    }
  }

  @Test
  void theDurableExecutionReasonsDecode() throws Exception {
    StandIn service = new StandIn();
    Object[][] cases = {
        {Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_CONFLICT",
            ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_CONFLICT},
        {Code.FAILED_PRECONDITION, "QUEUE_NOT_FOUND", ErrorReason.ERROR_REASON_QUEUE_NOT_FOUND},
        {Code.OUT_OF_RANGE, "CURSOR_EXPIRED", ErrorReason.ERROR_REASON_CURSOR_EXPIRED},
        {Code.DEADLINE_EXCEEDED, "WAIT_TIMEOUT", ErrorReason.ERROR_REASON_WAIT_TIMEOUT},
        {Code.NOT_FOUND, "SCHEDULE_NOT_FOUND", ErrorReason.ERROR_REASON_SCHEDULE_NOT_FOUND},
        {Code.ALREADY_EXISTS, "SCHEDULE_EXISTS", ErrorReason.ERROR_REASON_SCHEDULE_EXISTS},
    };
    try (InProcess server = InProcess.serve(service)) {
      for (Object[] c : cases) {
        service.refusal = refusal((Code) c[0], (String) c[1], Map.of("oldest_cursor", "c9"));
        ActionqException e = assertThrows(ActionqException.class,
            () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()));
        assertEquals(c[2], e.reason(), (String) c[1]);
        assertEquals(c[1], e.reasonName());
      }
      assertTrue(assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()))
          .isScheduleExists());
      service.refusal = refusal(Code.NOT_FOUND, "SCHEDULE_NOT_FOUND", Map.of());
      assertTrue(assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()))
          .isScheduleNotFound());
      service.refusal = refusal(Code.DEADLINE_EXCEEDED, "WAIT_TIMEOUT", Map.of());
      assertTrue(assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()))
          .isWaitTimeout());
      service.refusal = refusal(Code.OUT_OF_RANGE, "CURSOR_EXPIRED", Map.of("oldest_cursor", "c9"));
      ActionqException expired = assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()));
      assertTrue(expired.isCursorExpired());
      assertEquals("c9", expired.oldestCursor().orElseThrow());
      service.refusal = refusal(Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_CONFLICT", Map.of());
      assertTrue(assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()))
          .isIdempotencyKeyConflict());
      service.refusal = refusal(Code.FAILED_PRECONDITION, "QUEUE_NOT_FOUND", Map.of());
      ActionqException queue = assertThrows(ActionqException.class,
          () -> server.client.getAction(GetActionRequest.newBuilder().setId(1).build()));
      assertTrue(queue.isQueueNotFound());
      assertInstanceOf(ActionqException.class, queue);
      assertTrue(queue.oldestCursor().isEmpty());
    }
  }

  @Test
  void backoffHelpersBuildThePolicy() {
    var exponential = Protos.exponentialBackoff(
        Duration.ofSeconds(2), Duration.ofMinutes(10), 0.1);
    assertEquals(BackoffStrategy.BACKOFF_STRATEGY_EXPONENTIAL, exponential.getStrategy());
    assertEquals(Duration.ofSeconds(2), Protos.duration(exponential.getBase()));
    assertEquals(Duration.ofMinutes(10), Protos.duration(exponential.getMax()));
    assertEquals(0.1, exponential.getJitter());
    var fixed = Protos.fixedBackoff(Duration.ofSeconds(30));
    assertEquals(BackoffStrategy.BACKOFF_STRATEGY_FIXED, fixed.getStrategy());
    assertEquals(Duration.ofSeconds(30), Protos.duration(fixed.getBase()));
    assertFalse(fixed.hasMax());
  }
}
