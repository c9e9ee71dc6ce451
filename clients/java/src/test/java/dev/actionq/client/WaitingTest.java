package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ActionStatus;
import dev.actionq.v1.Checkpoint;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteManyRequest;
import dev.actionq.v1.CompleteManyResponse;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.FailResponse;
import dev.actionq.v1.GetCheckpointsRequest;
import dev.actionq.v1.GetCheckpointsResponse;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.SignalMode;
import dev.actionq.v1.SignalRequest;
import dev.actionq.v1.SignalResponse;
import dev.actionq.v1.SuspendRequest;
import dev.actionq.v1.SuspendResponse;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's durable waits (Job.waitForSignal, Job.sleep) against a stand-in server. */
class WaitingTest {

  /**
   * One action (id 1): Claim hands it out while it is pending; Suspend on a signal makes it
   * wait, a sleep wakes at once (timed out); Signal stores the wake-up as the wait's checkpoint
   * and makes the action pending again under a new lease.
   */
  private static final class Waits extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    private boolean pending = true;
    private int claims;
    private String waitingFor;
    private String waitingStep;
    final List<Checkpoint> checkpoints = Collections.synchronizedList(new ArrayList<>());
    final BlockingQueue<SuspendRequest> suspends = new LinkedBlockingQueue<>();
    final BlockingQueue<SignalRequest> signals = new LinkedBlockingQueue<>();
    final BlockingQueue<CompleteRequest> completed = new LinkedBlockingQueue<>();
    final BlockingQueue<FailRequest> failed = new LinkedBlockingQueue<>();

    @Override
    public void claim(ClaimRequest request, StreamObserver<ClaimResponse> response) {
      ClaimResponse.Builder answer = ClaimResponse.newBuilder();
      synchronized (this) {
        if (pending) {
          pending = false;
          claims++;
          answer.addActions(ClaimedAction.newBuilder().setLeaseToken("lease-" + claims)
              .setAction(Action.newBuilder().setId(1).setActionType("t").setAttempt(1)
                  .setStatus(ActionStatus.ACTION_STATUS_CLAIMED)));
        }
      }
      if (answer.getActionsCount() == 0) {
        try {
          Thread.sleep(20); // a short long-poll; the worker asks again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void getCheckpoints(
        GetCheckpointsRequest request, StreamObserver<GetCheckpointsResponse> response) {
      synchronized (checkpoints) {
        response.onNext(GetCheckpointsResponse.newBuilder().addAllCheckpoints(checkpoints).build());
      }
      response.onCompleted();
    }

    @Override
    public void suspend(SuspendRequest request, StreamObserver<SuspendResponse> response) {
      suspends.add(request);
      if (request.getSignal().isEmpty()) {
        dev.actionq.v1.WakeUp wake = dev.actionq.v1.WakeUp.newBuilder()
            .setStep(request.getStep()).setPayloadJson("{}").setTimedOut(true).build();
        store(wake);
        response.onNext(SuspendResponse.newBuilder().setWake(wake).build());
      } else {
        synchronized (this) {
          waitingFor = request.getSignal();
          waitingStep = request.getStep();
        }
        response.onNext(SuspendResponse.newBuilder().setSuspended(true).setAction(Action
            .newBuilder().setId(1).setStatus(ActionStatus.ACTION_STATUS_WAITING)).build());
      }
      response.onCompleted();
    }

    @Override
    public void signal(SignalRequest request, StreamObserver<SignalResponse> response) {
      signals.add(request);
      SignalResponse.Builder answer = SignalResponse.newBuilder().setSignalId(7);
      synchronized (this) {
        if (request.getName().equals(waitingFor)) {
          store(dev.actionq.v1.WakeUp.newBuilder().setStep(waitingStep)
              .setSignal(request.getName()).setPayloadJson(request.getPayloadJson())
              .setSignalId(7).build());
          waitingFor = null;
          pending = true;
          answer.addWoken(1);
        }
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    synchronized boolean isWaiting() {
      return waitingFor != null;
    }

    private void store(dev.actionq.v1.WakeUp wake) {
      String state = "{\"signal\":" + Json.write(wake.getSignal()) + ",\"payload\":"
          + (wake.getPayloadJson().isEmpty() ? "{}" : wake.getPayloadJson())
          + ",\"timed_out\":" + wake.getTimedOut() + ",\"signal_id\":" + wake.getSignalId()
          + ",\"woke_at\":\"2026-11-30T17:00:00.25+00:00\"}";
      checkpoints.add(Checkpoint.newBuilder().setActionId(1).setStep(wake.getStep())
          .setStateJson(state).setAttempt(1).build());
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
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
      response.onNext(HeartbeatResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private static Worker worker(InProcess server, Handler handler) {
    return Worker.builder(server.client)
        .name("test-worker")
        .claimWait(Duration.ofMillis(200))
        .stopOnShutdown(false)
        .handler(handler)
        .build();
  }

  @Test
  void aWaitSuspendsWithoutAReportAndTheRerunGetsTheWakeUp() throws Exception {
    Waits service = new Waits();
    List<Object> runs = Collections.synchronizedList(new ArrayList<>());
    try (InProcess server = InProcess.serve(service)) {
      Worker worker = worker(server, job -> {
        try {
          WakeUp wake = job.waitForSignal("approved", Duration.ofHours(1));
          runs.add(wake);
          return Result.of(wake.step(), wake.payload());
        } catch (SuspendedException e) {
          runs.add(e);
          runs.add(Thread.currentThread().isInterrupted());
          throw e;
        }
      });
      Thread running = new Thread(worker::run, "test-worker");
      running.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!service.isWaiting()) {
          assertTrue(System.nanoTime() < deadline, "the handler never suspended");
          Thread.sleep(5);
        }
        SignalResponse sent = server.client.signal("approved",
            Map.of("by", "alice", "n", new BigInteger("9007199254740993")), null, null);
        assertEquals(List.of(1L), sent.getWokenList());
        CompleteRequest completion = service.completed.poll(10, TimeUnit.SECONDS);
        assertNotNull(completion, "no completion within 10 s");
        assertEquals("lease-2", completion.getLeaseToken());
        assertEquals("signal:approved", completion.getResultRef());
        assertEquals(Json.parse("{\"by\":\"alice\",\"n\":9007199254740993}"),
            Json.parse(completion.getResultJson()));
      } finally {
        worker.stop();
        worker.close();
        running.join();
      }
    }
    assertTrue(service.failed.isEmpty(), "a suspended run was reported as failed");
    assertEquals(3, runs.size());
    assertInstanceOf(SuspendedException.class, runs.get(0));
    assertEquals(true, runs.get(1), "the suspended handler's thread was not interrupted");
    WakeUp wake = (WakeUp) runs.get(2);
    assertEquals("approved", wake.signal());
    assertFalse(wake.timedOut());
    assertEquals(7, wake.signalId());
    assertEquals(Instant.parse("2026-11-30T17:00:00.25Z"), wake.wokeAt().orElseThrow());
    SuspendRequest suspend = service.suspends.poll();
    assertNotNull(suspend);
    assertEquals("signal:approved", suspend.getStep());
    assertEquals("lease-1", suspend.getLeaseToken());
    assertEquals(Duration.ofHours(1), Protos.duration(suspend.getTimeout()));
    assertTrue(service.suspends.isEmpty(), "the re-run called Suspend instead of the checkpoint");
    SignalRequest signal = service.signals.poll();
    assertEquals(SignalMode.SIGNAL_MODE_BROADCAST, signal.getMode());
    assertFalse(signal.hasKeep());
  }

  @Test
  void sleepsAreNamedByTheirCountWithinARun() throws Exception {
    Waits service = new Waits();
    List<WakeUp> wakes = Collections.synchronizedList(new ArrayList<>());
    try (InProcess server = InProcess.serve(service)) {
      Worker worker = worker(server, job -> {
        wakes.add(job.sleep(Duration.ZERO));
        wakes.add(job.sleep(Duration.ofMillis(10), "nap"));
        wakes.add(job.sleep(Duration.ofMillis(-5)));
        return Result.done();
      });
      Thread running = new Thread(worker::run, "test-worker");
      running.start();
      try {
        assertNotNull(service.completed.poll(10, TimeUnit.SECONDS), "no completion within 10 s");
      } finally {
        worker.stop();
        worker.close();
        running.join();
      }
    }
    assertEquals(List.of("sleep:0", "nap", "sleep:1"), wakes.stream().map(WakeUp::step).toList());
    assertTrue(wakes.stream().allMatch(w -> w.timedOut() && w.payload().isEmpty()));
    List<SuspendRequest> sent = new ArrayList<>(service.suspends);
    assertEquals(List.of(Duration.ZERO, Duration.ofMillis(10), Duration.ZERO),
        sent.stream().map(r -> Protos.duration(r.getTimeout())).toList());
    assertTrue(sent.stream().allMatch(r -> r.getSignal().isEmpty()));
  }

  @Test
  void aHandMadeJobCannotWait() {
    Job job = Job.of(Action.getDefaultInstance());
    assertThrows(IllegalStateException.class, () -> job.waitForSignal("s"));
    assertThrows(IllegalStateException.class, () -> job.sleep(Duration.ofSeconds(1)));
  }

  @Test
  void aStoredWakeUpDecodesLosslessly() {
    WakeUp wake = WakeUp.fromCheckpoint(CheckpointRecord.of(Checkpoint.newBuilder().setStep("w")
        .setStateJson("{\"signal\":\"s\",\"payload\":{\"n\":9007199254740993},"
            + "\"timed_out\":false,\"signal_id\":12,\"woke_at\":\"2026-11-30T18:00:00+01:00\"}")
        .build()));
    assertEquals(new BigInteger("9007199254740993"), wake.payload().get("n").bigIntegerValue());
    assertEquals(12, wake.signalId());
    assertEquals(Instant.parse("2026-11-30T17:00:00Z"), wake.wokeAt().orElseThrow());
  }
}
