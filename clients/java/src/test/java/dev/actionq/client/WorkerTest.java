package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteManyRequest;
import dev.actionq.v1.CompleteManyResponse;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.FailResponse;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.RejectRequest;
import dev.actionq.v1.RejectResponse;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WorkerTest {

  private static final String PAYLOAD =
      "{\"user_id\": 9007199254740993, \"min\": -9223372036854775808, \"note\": \"héllo 🎉\"}";

  /**
   * Hands out one action with {@link #PAYLOAD} on the first Claim; later Claims wait out their
   * wait (or the end of the test) and find nothing. Records completions and failures.
   */
  private static final class OneAction extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    private final AtomicBoolean claimed = new AtomicBoolean();
    final CountDownLatch done = new CountDownLatch(1);
    final BlockingQueue<CompleteRequest> completed = new LinkedBlockingQueue<>();
    final BlockingQueue<FailRequest> failed = new LinkedBlockingQueue<>();
    final BlockingQueue<RejectRequest> rejected = new LinkedBlockingQueue<>();
    final BlockingQueue<HeartbeatRequest> heartbeats = new LinkedBlockingQueue<>();
    /** Checkpoints saved (and seeded by a test), in the order their steps were first saved. */
    final java.util.List<dev.actionq.v1.Checkpoint> checkpoints =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Override
    public void saveCheckpoint(dev.actionq.v1.SaveCheckpointRequest request,
        StreamObserver<dev.actionq.v1.SaveCheckpointResponse> response) {
      if (!request.getLeaseToken().equals("lease-1")) {
        response.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription("stale lease")
            .asRuntimeException());
        return;
      }
      dev.actionq.v1.Checkpoint saved = dev.actionq.v1.Checkpoint.newBuilder()
          .setActionId(request.getId()).setStep(request.getStep())
          .setStateJson(request.getStateJson()).setAttempt(2).build();
      synchronized (checkpoints) {
        checkpoints.removeIf(c -> c.getStep().equals(request.getStep()));
        checkpoints.add(saved);
      }
      response.onNext(dev.actionq.v1.SaveCheckpointResponse.newBuilder().setCheckpoint(saved)
          .build());
      response.onCompleted();
    }

    @Override
    public void getCheckpoints(dev.actionq.v1.GetCheckpointsRequest request,
        StreamObserver<dev.actionq.v1.GetCheckpointsResponse> response) {
      synchronized (checkpoints) {
        response.onNext(dev.actionq.v1.GetCheckpointsResponse.newBuilder()
            .addAllCheckpoints(checkpoints).build());
      }
      response.onCompleted();
    }

    @Override
    public void claim(ClaimRequest request, StreamObserver<ClaimResponse> response) {
      ClaimResponse.Builder answer = ClaimResponse.newBuilder();
      if (claimed.compareAndSet(false, true)) {
        answer.addActions(ClaimedAction.newBuilder().setLeaseToken("lease-1")
            .setAction(Action.newBuilder().setId(1).setActionType("t").setPayloadJson(PAYLOAD)
                .setAttempt(2)));
      } else {
        try {
          done.await(Protos.duration(request.getWait()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void completeMany(
        CompleteManyRequest request, StreamObserver<CompleteManyResponse> response) {
      completed.addAll(request.getCompletionsList());
      response.onNext(CompleteManyResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void fail(FailRequest request, StreamObserver<FailResponse> response) {
      failed.add(request);
      response.onNext(FailResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void reject(RejectRequest request, StreamObserver<RejectResponse> response) {
      rejected.add(request);
      response.onNext(RejectResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
      heartbeats.add(request);
      response.onNext(HeartbeatResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  /** Runs a worker with {@code handler} against {@code service} until {@code until} returns. */
  private static <T> T runUntil(OneAction service, Handler handler, BlockingQueue<T> until)
      throws Exception {
    try (InProcess server = InProcess.serve(service)) {
      Worker worker = Worker.builder(server.client)
          .name("test-worker")
          .claimWait(Duration.ofSeconds(1))
          .stopOnShutdown(false)
          .handler(handler)
          .build();
      Thread running = new Thread(worker::run, "test-worker");
      running.start();
      try {
        return until.poll(10, TimeUnit.SECONDS);
      } finally {
        worker.stop();
        service.done.countDown();
        worker.close();
        running.join();
      }
    }
  }

  @Test
  void handlersGetThePayloadDecodedAndTheirResultGoesOutAsJson() throws Exception {
    OneAction service = new OneAction();
    BlockingQueue<ObjectNode> payloads = new LinkedBlockingQueue<>();
    CompleteRequest completion = runUntil(service, job -> {
      payloads.add(job.payload());
      ObjectNode result = Json.object();
      result.set("echo", job.payload().get("user_id"));
      result.put("beyond", BigInteger.TWO.pow(64));
      return Result.of("done:" + job.id(), result);
    }, service.completed);

    assertNotNull(completion, "no completion within 10 s");
    assertEquals(Json.parse(PAYLOAD), payloads.poll());
    assertEquals(1, completion.getId());
    assertEquals("lease-1", completion.getLeaseToken());
    assertEquals("done:1", completion.getResultRef());
    assertEquals("{\"echo\":9007199254740993,\"beyond\":18446744073709551616}",
        completion.getResultJson());
  }

  @Test
  void aResultWithoutJsonSendsNone() throws Exception {
    OneAction service = new OneAction();
    CompleteRequest completion = runUntil(service, job -> Result.of("ref"), service.completed);
    assertNotNull(completion, "no completion within 10 s");
    assertEquals("", completion.getResultJson());
  }

  @Test
  void aResultThatIsNotAnObjectFailsTheAttempt() throws Exception {
    OneAction service = new OneAction();
    FailRequest failure = runUntil(service,
        job -> Result.of("ref", java.util.List.of(1, 2)), service.failed);
    assertNotNull(failure, "no failure within 10 s");
    assertEquals(1, failure.getId());
    assertEquals("not a JSON object: ARRAY", failure.getReason());
  }

  @Test
  void rejectSendsRejectWithTheWorkersNameUnlessAValidatorIsGiven() throws Exception {
    OneAction service = new OneAction();
    RejectRequest rejection = runUntil(service, job -> Result.reject("no address"),
        service.rejected);
    assertNotNull(rejection, "no rejection within 10 s");
    assertEquals("no address", rejection.getReason());
    assertEquals("test-worker", rejection.getValidator());
    assertTrue(service.failed.isEmpty());

    OneAction other = new OneAction();
    rejection = runUntil(other, job -> Result.reject("too big", "size-check"), other.rejected);
    assertNotNull(rejection, "no rejection within 10 s");
    assertEquals("size-check", rejection.getValidator());
  }

  @Test
  void failNoRetryAndRetryInAskTheServerForThem() throws Exception {
    OneAction service = new OneAction();
    FailRequest forGood = runUntil(service, job -> Result.failNoRetry("account gone"),
        service.failed);
    assertNotNull(forGood, "no failure within 10 s");
    assertEquals("account gone", forGood.getReason());
    assertTrue(forGood.getNoRetry());
    assertFalse(forGood.hasRetryDelay());

    OneAction later = new OneAction();
    FailRequest delayed = runUntil(later,
        job -> Result.retryIn(Duration.ofSeconds(90), "rate limited"), later.failed);
    assertNotNull(delayed, "no failure within 10 s");
    assertFalse(delayed.getNoRetry());
    assertEquals(Duration.ofSeconds(90), Protos.duration(delayed.getRetryDelay()));

    OneAction now = new OneAction();
    FailRequest atOnce = runUntil(now, job -> Result.retryIn(Duration.ZERO, "again"), now.failed);
    assertNotNull(atOnce, "no failure within 10 s");
    assertTrue(atOnce.hasRetryDelay(), "a zero delay is sent, not left to the backoff");
    assertEquals(Duration.ZERO, Protos.duration(atOnce.getRetryDelay()));

    OneAction plain = new OneAction();
    FailRequest backoff = runUntil(plain, job -> Result.fail("flaky"), plain.failed);
    assertNotNull(backoff, "no failure within 10 s");
    assertFalse(backoff.getNoRetry());
    assertFalse(backoff.hasRetryDelay());

    assertThrows(IllegalArgumentException.class,
        () -> Result.retryIn(Duration.ofMillis(-1), "no"));
    assertThrows(IllegalArgumentException.class,
        () -> Result.retryIn(Duration.ofDays(31), "no"));
  }

  @Test
  void progressGoesOutAsAHeartbeatCarryingProgressJson() throws Exception {
    OneAction service = new OneAction();
    BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
    CompleteRequest completion = runUntil(service, job -> {
      attempts.add(job.attempt());
      job.progress(Json.parseObject("{\"done\": 1, \"big\": 9007199254740993}"));
      job.progress(java.util.Map.of("done", 2));
      return Result.done();
    }, service.completed);
    assertNotNull(completion, "no completion within 10 s");
    assertEquals(2, attempts.poll());
    java.util.List<String> sent = new java.util.ArrayList<>();
    for (HeartbeatRequest h : service.heartbeats) {
      if (!h.getProgressJson().isEmpty()) {
        sent.add(h.getProgressJson());
        assertEquals("lease-1", h.getLeaseToken());
      }
    }
    assertEquals(java.util.List.of("{\"done\":1,\"big\":9007199254740993}", "{\"done\":2}"),
        sent);
    assertThrows(IllegalStateException.class,
        () -> Job.of(Action.getDefaultInstance()).progress(Json.object()));
    assertThrows(IllegalArgumentException.class,
        () -> Job.of(Action.getDefaultInstance()).progress(java.util.List.of(1)));
  }

  record Download(java.math.BigInteger bytes) {}

  @Test
  void stepReturnsASavedStepAndRunsAndSavesANewOne() throws Exception {
    OneAction service = new OneAction();
    service.checkpoints.add(dev.actionq.v1.Checkpoint.newBuilder().setActionId(1)
        .setStep("download").setStateJson("{\"bytes\": 9007199254740993}").setAttempt(1)
        .build());
    java.util.List<String> ran = java.util.Collections.synchronizedList(
        new java.util.ArrayList<>());
    BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    CompleteRequest completion = runUntil(service, job -> {
      Download d = job.step("download", Download.class, () -> {
        ran.add("download");
        return new Download(java.math.BigInteger.ZERO);
      });
      job.step("parse", java.util.Map.class, () -> {
        ran.add("parse");
        return java.util.Map.of("rows", 3);
      });
      seen.add(d);
      seen.add(job.checkpoints().stream().map(CheckpointRecord::step).toList());
      return Result.done();
    }, service.completed);
    assertNotNull(completion, "no completion within 10 s");
    assertEquals(java.util.List.of("parse"), ran);
    assertEquals(new Download(new java.math.BigInteger("9007199254740993")), seen.poll());
    assertEquals(java.util.List.of("download", "parse"), seen.poll());
    assertEquals("{\"rows\":3}", service.checkpoints.get(1).getStateJson());
    assertThrows(IllegalStateException.class,
        () -> Job.of(Action.getDefaultInstance()).saveCheckpoint("s", Json.object()));
    assertThrows(IllegalStateException.class,
        () -> Job.of(Action.getDefaultInstance()).checkpoints());
  }

  @Test
  void checkpointStateIsDecodedLosslesslyAndEmptyIsAnObject() {
    CheckpointRecord c = CheckpointRecord.of(dev.actionq.v1.Checkpoint.newBuilder()
        .setStep("s").setStateJson("{\"n\": 9007199254740993}").setAttempt(3).build());
    assertEquals(new java.math.BigInteger("9007199254740993"), c.state().get("n").bigIntegerValue());
    assertEquals(3, c.attempt());
    assertEquals(Json.object(), CheckpointRecord.of(dev.actionq.v1.Checkpoint.getDefaultInstance())
        .state());
  }
}
