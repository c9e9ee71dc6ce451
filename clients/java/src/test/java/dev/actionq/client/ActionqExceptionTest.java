package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ErrorReason;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.GetActionResponse;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ActionqExceptionTest {

  /** Answers every GetAction and WatchEvents with {@code answer}. */
  private static final class Refusing extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    private final com.google.rpc.Status answer;

    Refusing(com.google.rpc.Status answer) {
      this.answer = answer;
    }

    @Override
    public void getAction(GetActionRequest request, StreamObserver<GetActionResponse> response) {
      response.onError(StatusProto.toStatusRuntimeException(answer));
    }

    @Override
    public void watchEvents(
        WatchEventsRequest request, StreamObserver<WatchEventsResponse> response) {
      response.onError(StatusProto.toStatusRuntimeException(answer));
    }
  }

  private static com.google.rpc.Status status(Code code, String message, String reason,
      Map<String, String> metadata, com.google.protobuf.Message... more) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber()).setMessage(message);
    if (reason != null) {
      status.addDetails(Any.pack(ErrorInfo.newBuilder()
          .setDomain(ActionqException.DOMAIN).setReason(reason).putAllMetadata(metadata).build()));
    }
    for (com.google.protobuf.Message m : more) {
      status.addDetails(Any.pack(m));
    }
    return status.build();
  }

  private static ActionqException getActionAgainst(com.google.rpc.Status answer)
      throws Exception {
    try (InProcess server = InProcess.serve(new Refusing(answer))) {
      return assertThrows(ActionqException.class, () ->
          server.client.getAction(GetActionRequest.newBuilder().setId(7).build()));
    }
  }

  @Test
  void reasonMessageFieldAndMetadataComeFromTheStatusDetails() throws Exception {
    ActionqException e = getActionAgainst(status(Code.FAILED_PRECONDITION,
        "action 7: the lease token is not the current claim's", "STALE_LEASE",
        Map.of("action_id", "7", "field", "lease_token")));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals(ErrorReason.ERROR_REASON_STALE_LEASE, e.reason());
    assertEquals("STALE_LEASE", e.reasonName());
    assertEquals("action 7: the lease token is not the current claim's", e.message());
    assertEquals("lease_token", e.field());
    assertEquals(Map.of("action_id", "7", "field", "lease_token"), e.metadata());
    assertTrue(e.isStaleLease());
    assertFalse(e.isIllegalTransition());
    assertFalse(e.isRetryable());
    assertEquals(java.util.Optional.empty(), e.retryDelay());
  }

  @Test
  void badRequestNamesTheFieldWhenMetadataDoesNot() throws Exception {
    ActionqException e = getActionAgainst(status(Code.INVALID_ARGUMENT,
        "actions[0].action_type: required", "INVALID_FIELD", Map.of(),
        BadRequest.newBuilder().addFieldViolations(BadRequest.FieldViolation.newBuilder()
            .setField("actions[0].action_type").setDescription("required")).build()));
    assertTrue(e.isInvalidField());
    assertEquals("actions[0].action_type", e.field());
  }

  @Test
  void retryInfoGivesTheDelay() throws Exception {
    ActionqException e = getActionAgainst(status(Code.RESOURCE_EXHAUSTED, "over the limit",
        "RATE_LIMITED", Map.of(), RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(3).setNanos(5))
            .build()));
    assertTrue(e.isRateLimited());
    assertEquals(Duration.ofSeconds(3, 5), e.retryDelay().orElseThrow());
  }

  @Test
  void serverLimitsAndSlowWatchersAreTyped() throws Exception {
    ActionqException limit = getActionAgainst(status(Code.RESOURCE_EXHAUSTED,
        "too many concurrent streams", "LIMIT_EXCEEDED",
        Map.of("limit", "ACTIONQ_MAX_STREAMS_PER_PRINCIPAL", "value", "64")));
    assertTrue(limit.isLimitExceeded());
    assertFalse(limit.isWatcherTooSlow());
    assertEquals(ErrorReason.ERROR_REASON_LIMIT_EXCEEDED, limit.reason());
    assertEquals("64", limit.metadata().get("value"));
    ActionqException slow = getActionAgainst(status(Code.RESOURCE_EXHAUSTED,
        "the watcher fell behind", "WATCHER_TOO_SLOW", Map.of("cursor", "c9")));
    assertTrue(slow.isWatcherTooSlow());
    assertEquals(ErrorReason.ERROR_REASON_WATCHER_TOO_SLOW, slow.reason());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, slow.code());
  }

  @Test
  void authRefusalsAreTyped() throws Exception {
    assertTrue(getActionAgainst(status(Code.UNAUTHENTICATED, "no token", "UNAUTHENTICATED",
        Map.of())).isUnauthenticated());
    ActionqException denied = getActionAgainst(status(Code.PERMISSION_DENIED,
        "role worker may not call EmitEvent", "PERMISSION_DENIED", Map.of()));
    assertTrue(denied.isPermissionDenied());
    assertFalse(denied.isUnauthenticated());
  }

  @Test
  void anUnknownReasonFallsBackToTheCode() throws Exception {
    ActionqException e = getActionAgainst(status(Code.FAILED_PRECONDITION, "paused",
        "QUEUE_FROM_THE_FUTURE", Map.of()));
    assertEquals(ErrorReason.UNRECOGNIZED, e.reason());
    assertEquals("QUEUE_FROM_THE_FUTURE", e.reasonName());
    assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
  }

  @Test
  void anotherDomainsErrorInfoYieldsToActionqs() throws Exception {
    com.google.rpc.Status answer = status(Code.NOT_FOUND, "no action 7", null, Map.of(),
        ErrorInfo.newBuilder().setDomain("proxy.example").setReason("UPSTREAM").build(),
        ErrorInfo.newBuilder().setDomain(ActionqException.DOMAIN)
            .setReason("ACTION_NOT_FOUND").build());
    ActionqException e = getActionAgainst(answer);
    assertTrue(e.isActionNotFound());
  }

  @Test
  void aStatusWithoutDetailsHasNoReason() throws Exception {
    ActionqException e = getActionAgainst(com.google.rpc.Status.newBuilder()
        .setCode(Code.INTERNAL.getNumber()).setMessage("boom").build());
    assertEquals(Status.Code.INTERNAL, e.code());
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, e.reason());
    assertEquals("", e.reasonName());
    assertEquals("", e.field());
    assertEquals(Map.of(), e.metadata());
  }

  @Test
  void noServerIsUnavailableWithoutReason() {
    try (ActionQueueClient client = InProcess.nowhere()) {
      ActionqException e = assertThrows(ActionqException.class, () ->
          client.getAction(GetActionRequest.newBuilder().setId(1).build()));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
      assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, e.reason());
      assertTrue(e.isRetryable());
    }
  }

  @Test
  void streamErrorsArriveTyped() throws Exception {
    try (InProcess server = InProcess.serve(new Refusing(status(Code.INVALID_ARGUMENT,
        "after_cursor: not a cursor", "INVALID_FIELD", Map.of("field", "after_cursor"))))) {
      CompletableFuture<Throwable> failed = new CompletableFuture<>();
      server.client.watchEvents(WatchEventsRequest.newBuilder().setAfterCursor("x").build(),
          new StreamObserver<>() {
            @Override
            public void onNext(WatchEventsResponse value) {}

            @Override
            public void onError(Throwable t) {
              failed.complete(t);
            }

            @Override
            public void onCompleted() {
              failed.complete(null);
            }
          });
      ActionqException e =
          assertInstanceOf(ActionqException.class, failed.get(5, TimeUnit.SECONDS));
      assertTrue(e.isInvalidField());
      assertEquals("after_cursor", e.field());
    }
  }

  @Test
  void reasonNamesMapToTheEnum() {
    assertEquals(ErrorReason.ERROR_REASON_CHAIN_TOO_DEEP,
        ActionqException.reasonOf("CHAIN_TOO_DEEP"));
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, ActionqException.reasonOf(""));
    assertEquals(ErrorReason.UNRECOGNIZED, ActionqException.reasonOf("chain_too_deep"));
  }

  @Test
  void fromKeepsAnythingElseAsUnknown() {
    ActionqException e = ActionqException.from(new IllegalStateException("odd"));
    assertEquals(Status.Code.UNKNOWN, e.code());
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }
}
