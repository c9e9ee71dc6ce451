package dev.actionq.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.CheckpointRecord;
import dev.actionq.client.Json;
import dev.actionq.client.Protos;
import dev.actionq.client.Result;
import dev.actionq.client.WakeUp;
import dev.actionq.client.WaitTimeoutException;
import dev.actionq.client.Worker;
import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ActionStatus;
import dev.actionq.v1.CancelRequest;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteManyRequest;
import dev.actionq.v1.CompleteManyResponse;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueuedAction;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.ListActionsRequest;
import dev.actionq.v1.ListActionsResponse;
import dev.actionq.v1.NewAction;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live check of the {@link Worker} helper that {@code conformance.sh} runs after the scenario:
 * enqueue {@value #ACTIONS} actions of a fresh type, each with a payload holding an integer
 * beyond 2^53, run the worker (concurrency {@value #CONCURRENCY}, 30 s lease) until each was
 * handled (the handler checks that its payload arrived exactly and returns a result holding an
 * integer beyond int64), stop it gracefully and verify through ListActions that every action is
 * completed with that exact result (one, whose handler throws on purpose, failed) and that the
 * handler ran exactly once per action. Completions share a completed_at per
 * CompleteMany transaction, which shows that they were batched and that at most
 * {@value #CONCURRENCY} reports were in flight at once.
 *
 * <p>Then the outcomes check: four actions with three attempts each, whose handler rejects one
 * ({@link Result#reject}), fails one for good ({@link Result#failNoRetry}), fails one with a
 * retry in a minute ({@link Result#retryIn}) and reports progress on the last
 * ({@link dev.actionq.client.Job#progress}) before completing it. Verified through the API:
 * rejected and failed after one attempt, the third pending again with run_after about a minute
 * after its failure (waiting on it times out with {@link WaitTimeoutException}), the progress
 * stored on the action while its handler still ran.
 *
 * <p>Then the waiting check: a handler waits for a signal ({@link
 * dev.actionq.client.Job#waitForSignal}); its first run is suspended (the action shows waiting),
 * the check sends the signal with a payload, and the re-run completes with it. Verified: the
 * signal woke the action, which completed on attempt 1 (waiting uses no attempt) with the
 * payload, after exactly two runs of the handler.
 *
 * <p>Then, against a stand-in server in this JVM (no database: the live server cannot be made to
 * hand one worker the same action twice on cue), the repeated-id check: one Claim answers with
 * actions 1, 2, 1, 3, 1, as when a lease expired and the worker claimed the action again before
 * its first report went out. Their five completions are queued in the outbox at once; the check
 * verifies that no CompleteMany named an id twice (the server refuses such a call whole) and that
 * all five were sent.
 */
final class WorkerCheck {

  private static final int ACTIONS = 300;
  private static final int CONCURRENCY = 16;
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /**
   * Longer than the 2 ms default, so that the last completions are surely still in the outbox
   * when the check stops the worker: only the flush on stop can then get them to the server.
   * At most {@value #CONCURRENCY} reports are in flight, so this costs about
   * ACTIONS / CONCURRENCY windows (~0.4 s).
   */
  private static final Duration BATCH_WINDOW = Duration.ofMillis(20);
  private static final String FAIL_REASON = "conformance: this handler fails on purpose";
  /** 2^64: every result carries a number beyond int64, which must come back to the digit. */
  private static final BigInteger BIG = BigInteger.TWO.pow(64);
  /** The action ids that the stand-in server's one Claim hands out, in this order. */
  private static final List<Long> REPEATED_IDS = List.of(1L, 2L, 1L, 3L, 1L);
  /**
   * The outbox window of the repeated-id check: long enough that all five completions, whose
   * handlers return together, are queued before the first CompleteMany goes out.
   */
  private static final Duration REPEATED_WINDOW = Duration.ofMillis(100);

  private final ActionQueueClient client;
  private final String project;
  private final String createdBy;
  private final String actionType =
      "conformance.worker." + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  private WorkerCheck(ActionQueueClient client, String project, String createdBy) {
    this.client = client;
    this.project = project;
    this.createdBy = createdBy;
  }

  /**
   * Runs the live check and then the repeated-id check, each printing one summary line; returns
   * true iff both passed.
   */
  static boolean run(ActionQueueClient client, String project, String createdBy) {
    return report(() -> new WorkerCheck(client, project, createdBy).check())
        && report(() -> new WorkerCheck(client, project, createdBy).checkOutcomes())
        && report(() -> new WorkerCheck(client, project, createdBy).checkCheckpoints())
        && report(() -> new WorkerCheck(client, project, createdBy).checkWaiting())
        && report(WorkerCheck::checkRepeatedIds);
  }

  /** One check: returns null when it passed (after printing its summary), else why it failed. */
  private interface Check {
    String run() throws InterruptedException, IOException;
  }

  private static boolean report(Check check) {
    String why;
    try {
      why = check.run();
    } catch (RuntimeException | IOException e) {
      why = "unexpected " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    if (why != null) {
      System.out.println("worker check FAILED: " + why);
    }
    System.out.flush();
    return why == null;
  }

  /** Returns null when the check passed (after printing its summary), else why it failed. */
  private String check() throws InterruptedException {
    EnqueueRequest.Builder enqueue = EnqueueRequest.newBuilder();
    for (int i = 0; i < ACTIONS; i++) {
      enqueue.addActions(NewAction.newBuilder()
          .setActionType(actionType).setProject(project).setCreatedBy(createdBy)
          .setTargetRef("item-" + i)
          .setPayloadJson(Json.write(expectedPayload("item-" + i))));
    }
    List<Long> ids = new ArrayList<>();
    for (EnqueuedAction e : client.enqueue(enqueue.build()).getActionsList()) {
      ids.add(e.getAction().getId());
    }
    if (ids.size() != ACTIONS) {
      return "enqueued " + ids.size() + " actions, sent " + ACTIONS;
    }
    long failing = ids.get(ACTIONS / 2);

    Map<Long, AtomicInteger> calls = new ConcurrentHashMap<>();
    CountDownLatch handled = new CountDownLatch(ACTIONS);
    Worker worker = Worker.builder(client)
        .name("conformance-java-worker")
        .project(project)
        .actionTypes(actionType)
        .concurrency(CONCURRENCY)
        .lease(LEASE)
        .completeBatchWindow(BATCH_WINDOW)
        .stopOnShutdown(false)
        .handler(job -> {
          if (calls.computeIfAbsent(job.id(), id -> new AtomicInteger())
              .incrementAndGet() == 1) {
            handled.countDown();
          }
          if (job.id() == failing) {
            throw new IllegalStateException(FAIL_REASON);
          }
          if (!job.payload().equals(expectedPayload(job.action().getTargetRef()))) {
            throw new IllegalStateException("payload " + Json.write(job.payload())
                + " of " + job.action().getTargetRef());
          }
          return Result.of("done:" + job.id(), Json.object()
              .put("id", job.id())
              .put("beyond_int64", BIG.add(BigInteger.valueOf(job.id()))));
        })
        .build();
    AtomicReference<Throwable> crashed = new AtomicReference<>();
    Thread running = new Thread(worker::run, "conformance-worker");
    running.setUncaughtExceptionHandler((t, e) -> crashed.set(e));
    long began = System.nanoTime();
    running.start();
    boolean all = handled.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    worker.close(); // stop claiming, finish handlers, flush the outbox
    running.join();
    double seconds = (System.nanoTime() - began) / 1e9;
    if (crashed.get() != null) {
      return "Worker.run threw " + crashed.get();
    }
    if (!all) {
      return "handled " + (ACTIONS - handled.getCount()) + " of " + ACTIONS + " actions in "
          + TIMEOUT.toSeconds() + " s";
    }

    // What the server says now that run() has returned: every report must have been sent.
    Map<Long, Action> stored = new HashMap<>();
    ListActionsRequest.Builder list = ListActionsRequest.newBuilder()
        .setActionType(actionType).setProject(project).setPageSize(1000);
    while (true) {
      ListActionsResponse page = client.listActions(list.build());
      for (Action a : page.getActionsList()) {
        stored.put(a.getId(), a);
      }
      if (page.getNextPageToken().isEmpty()) {
        break;
      }
      list.setPageToken(page.getNextPageToken());
    }
    if (!stored.keySet().equals(new HashSet<>(ids))) {
      return "ListActions returned " + stored.size() + " actions, not the " + ACTIONS
          + " enqueued";
    }
    Map<Timestamp, Integer> completedAt = new HashMap<>();
    for (long id : ids) {
      AtomicInteger n = calls.get(id);
      if (n == null || n.get() != 1) {
        return "handler ran " + (n == null ? 0 : n.get()) + " times for action " + id;
      }
      Action a = stored.get(id);
      if (id == failing) {
        if (a.getStatus() != ActionStatus.ACTION_STATUS_FAILED
            || !a.getFailureReason().contains(FAIL_REASON)) {
          return "action " + id + " whose handler threw is " + a.getStatus() + " ("
              + a.getFailureReason() + "), want FAILED";
        }
      } else if (a.getStatus() != ActionStatus.ACTION_STATUS_COMPLETED
          || !a.getResultRef().equals("done:" + id)) {
        return "action " + id + " is " + a.getStatus() + " with result_ref "
            + a.getResultRef() + ", want COMPLETED with done:" + id;
      } else if (!Json.result(a).equals(Optional.of(expectedResult(id)))) {
        return "action " + id + " has result_json " + quote(a.getResultJson()) + ", want "
            + Json.write(expectedResult(id));
      } else {
        completedAt.merge(a.getCompletedAt(), 1, Integer::sum);
      }
    }
    if (calls.size() != ACTIONS) {
      return "handler ran for " + calls.size() + " action ids, want " + ACTIONS;
    }
    // One CompleteMany is one transaction, whose now() stamps completed_at: distinct stamps
    // count the transactions. One per completion would mean the worker did not batch; more than
    // CONCURRENCY in one would mean more reports were in flight than the worker allows.
    int completed = ACTIONS - 1;
    int largest = Collections.max(completedAt.values());
    if (completedAt.size() >= completed) {
      return completed + " completions took " + completedAt.size()
          + " transactions: the worker did not batch them";
    }
    if (largest > CONCURRENCY) {
      return largest + " completions in one transaction: more than " + CONCURRENCY
          + " reports were in flight";
    }
    System.out.printf(
        "worker check passed: %d actions of %s handled exactly once by %d handlers in %.2f s;"
            + " %d completed in %d CompleteMany transactions (at most %d each), 1 failed on"
            + " purpose%n",
        ACTIONS, actionType, CONCURRENCY, seconds, completed, completedAt.size(), largest);
    return null;
  }

  /** How far the outcomes check asks {@link Result#retryIn} to put the retry. */
  private static final Duration RETRY_IN = Duration.ofMinutes(1);
  /** Slack when comparing the server's run_after with this JVM's clock. */
  private static final Duration CLOCK_SLACK = Duration.ofSeconds(5);
  private static final List<String> OUTCOMES =
      List.of("reject", "no_retry", "retry_in", "progress");

  /**
   * The outcomes check (see the class comment). Returns null when it passed (after printing its
   * summary), else why it failed.
   */
  private String checkOutcomes() throws InterruptedException {
    String type = actionType.replace("conformance.worker.", "conformance.outcomes.");
    ObjectNode progress =
        Json.parseObject("{\"step\": 2, \"of\": 3, \"big\": 9007199254740993}");
    EnqueueRequest.Builder enqueue = EnqueueRequest.newBuilder();
    for (String kind : OUTCOMES) {
      enqueue.addActions(NewAction.newBuilder()
          .setActionType(type).setProject(project).setCreatedBy(createdBy)
          .setTargetRef(kind).setPayloadJson(Json.write(Json.object().put("kind", kind)))
          .setMaxAttempts(3)
          // A retry whose delay the handler did not choose would be due at once.
          .setBackoff(Protos.fixedBackoff(Duration.ZERO)));
    }
    Map<String, Long> idOf = new HashMap<>();
    List<EnqueuedAction> enqueued = client.enqueue(enqueue.build()).getActionsList();
    for (int i = 0; i < OUTCOMES.size(); i++) {
      idOf.put(OUTCOMES.get(i), enqueued.get(i).getAction().getId());
    }

    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    CountDownLatch handled = new CountDownLatch(OUTCOMES.size());
    AtomicReference<Instant> retryAskedAt = new AtomicReference<>();
    AtomicReference<Action> seenWhileRunning = new AtomicReference<>();
    Worker worker = Worker.builder(client)
        .name("conformance-java-outcomes")
        .project(project)
        .actionTypes(type)
        .concurrency(OUTCOMES.size())
        .lease(LEASE)
        .stopOnShutdown(false)
        .handler(job -> {
          String kind = job.payload().path("kind").asText();
          runs.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
          try {
            switch (kind) {
              case "reject":
                return Result.reject("conformance: rejected on purpose");
              case "no_retry":
                return Result.failNoRetry("conformance: failed for good on purpose");
              case "retry_in":
                retryAskedAt.set(Instant.now());
                return Result.retryIn(RETRY_IN, "conformance: retry in a minute");
              case "progress":
                job.progress(progress);
                seenWhileRunning.set(client.getAction(
                    GetActionRequest.newBuilder().setId(job.id()).build()).getAction());
                return Result.of("progressed");
              default:
                throw new IllegalStateException("unexpected payload " + job.payload());
            }
          } finally {
            handled.countDown();
          }
        })
        .build();
    AtomicReference<Throwable> crashed = new AtomicReference<>();
    Thread running = new Thread(worker::run, "conformance-outcomes-worker");
    running.setUncaughtExceptionHandler((t, e) -> crashed.set(e));
    running.start();
    boolean all = handled.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    worker.close(); // every report sent and answered
    running.join();
    Instant reportedBy = Instant.now();
    if (crashed.get() != null) {
      return "outcomes: Worker.run threw " + crashed.get();
    }
    if (!all) {
      return "outcomes: handled " + runs + " of " + OUTCOMES + " in " + TIMEOUT.toSeconds() + " s";
    }
    for (String kind : OUTCOMES) {
      AtomicInteger n = runs.get(kind);
      if (n == null || n.get() != 1) {
        return "outcomes: handler ran " + (n == null ? 0 : n.get()) + " times for " + kind;
      }
    }

    // The dead and the completed are terminal: waitFor returns them at once, in order.
    List<Action> finished = client.waitFor(
        List.of(idOf.get("reject"), idOf.get("no_retry"), idOf.get("progress")),
        Duration.ofSeconds(10));
    Object[][] want = {
        {"reject", ActionStatus.ACTION_STATUS_REJECTED, "conformance: rejected on purpose"},
        {"no_retry", ActionStatus.ACTION_STATUS_FAILED, "conformance: failed for good on purpose"},
        {"progress", ActionStatus.ACTION_STATUS_COMPLETED, ""},
    };
    for (int i = 0; i < want.length; i++) {
      Action a = finished.get(i);
      if (a.getId() != idOf.get((String) want[i][0]) || a.getStatus() != want[i][1]
          || a.getAttempt() != 1 || !a.getFailureReason().contains((String) want[i][2])) {
        return "outcomes: " + want[i][0] + " is " + a.getStatus() + " after attempt "
            + a.getAttempt() + " (" + quote(a.getFailureReason()) + "), want " + want[i][1]
            + " after attempt 1 of 3";
      }
    }
    Action seen = seenWhileRunning.get();
    if (seen == null || seen.getStatus() != ActionStatus.ACTION_STATUS_CLAIMED
        || seen.getProgressJson().isEmpty()
        || !Json.parseObject(seen.getProgressJson()).equals(progress)) {
      return "outcomes: while the handler ran, GetAction said "
          + (seen == null ? "nothing" : seen.getStatus() + " with progress "
              + quote(seen.getProgressJson()))
          + ", want CLAIMED with " + Json.write(progress);
    }

    // retryIn: pending again, due a minute after the failure, so waiting on it times out.
    long retryId = idOf.get("retry_in");
    try {
      client.waitFor(List.of(retryId), Duration.ofMillis(200));
      return "outcomes: waitFor on the action to retry in a minute returned";
    } catch (WaitTimeoutException expected) {
      // As it should: it is pending.
    }
    Action retried = client.getAction(GetActionRequest.newBuilder().setId(retryId).build())
        .getAction();
    Instant runAfter = Protos.instant(retried.getRunAfter());
    Instant earliest = retryAskedAt.get().plus(RETRY_IN).minus(CLOCK_SLACK);
    Instant latest = reportedBy.plus(RETRY_IN).plus(CLOCK_SLACK);
    if (retried.getStatus() != ActionStatus.ACTION_STATUS_PENDING || retried.getAttempt() != 1
        || runAfter.isBefore(earliest) || runAfter.isAfter(latest)) {
      return "outcomes: retry_in is " + retried.getStatus() + " after attempt "
          + retried.getAttempt() + ", run_after " + runAfter + "; want PENDING after attempt 1,"
          + " run_after between " + earliest + " and " + latest;
    }
    client.cancel(CancelRequest.newBuilder().setId(retryId).setReason("conformance: done")
        .build());
    System.out.printf(
        "worker outcomes check passed: reject -> REJECTED, failNoRetry -> FAILED (attempt 1 of"
            + " 3), retryIn(%d s) -> PENDING with run_after %.1f s after the failure, progress"
            + " stored on the action while its handler ran; waitFor returned the finished ones"
            + " and timed out on the pending one%n",
        RETRY_IN.toSeconds(),
        Duration.between(retryAskedAt.get(), runAfter).toMillis() / 1000.0);
    return null;
  }

  /**
   * The checkpoints check: one action whose handler, on attempt 1, saves a checkpoint and fails
   * with a retry in 0 s, and on attempt 2 reads it back and completes with a result made from
   * it. Verified on the server: completed on attempt 2 with that result, and GetCheckpoints
   * lists the step attempt 1 saved, its state intact.
   */
  private String checkCheckpoints() throws InterruptedException {
    String type = actionType.replace("conformance.worker.", "conformance.checkpoints.");
    ObjectNode state = Json.parseObject("{\"n\": 9007199254740993, \"etag\": \"x1\"}");
    long id = client.enqueue(EnqueueRequest.newBuilder().addActions(NewAction.newBuilder()
            .setActionType(type).setProject(project).setCreatedBy(createdBy)
            .setTargetRef("checkpointed").setMaxAttempts(3)).build())
        .getActions(0).getAction().getId();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    Worker worker = Worker.builder(client)
        .name("conformance-java-checkpoints")
        .project(project)
        .actionTypes(type)
        .lease(LEASE)
        .claimWait(Duration.ofSeconds(1))
        .stopOnShutdown(false)
        .handler(job -> {
          if (job.attempt() == 1) {
            job.saveCheckpoint("fetch", state);
            return Result.retryIn(Duration.ZERO, "conformance: crash after the first step");
          }
          for (CheckpointRecord saved : job.checkpoints()) {
            if (saved.step().equals("fetch")) {
              return Result.of("resumed", Json.object()
                  .<ObjectNode>set("n", saved.state().get("n"))
                  .put("resumed_on", job.attempt()));
            }
          }
          problems.add("attempt " + job.attempt() + " found no checkpoint");
          return Result.failNoRetry("no checkpoint");
        })
        .build();
    AtomicReference<Throwable> crashed = new AtomicReference<>();
    Thread running = new Thread(worker::run, "conformance-checkpoints-worker");
    running.setUncaughtExceptionHandler((t, e) -> crashed.set(e));
    running.start();
    Action done;
    try {
      done = client.waitFor(List.of(id), Duration.ofSeconds(20)).get(0);
    } finally {
      worker.close();
      running.join();
    }
    if (crashed.get() != null) {
      return "checkpoints: Worker.run threw " + crashed.get();
    }
    if (!problems.isEmpty()) {
      return "checkpoints: " + problems;
    }
    ObjectNode want = Json.parseObject("{\"n\": 9007199254740993, \"resumed_on\": 2}");
    JsonNode result = Json.result(done).orElse(null);
    if (done.getStatus() != ActionStatus.ACTION_STATUS_COMPLETED || done.getAttempt() != 2
        || result == null || !result.equals(want)) {
      return "checkpoints: the action is " + done.getStatus() + " on attempt "
          + done.getAttempt() + " with result " + quote(done.getResultJson())
          + ", want COMPLETED on attempt 2 with " + Json.write(want);
    }
    List<CheckpointRecord> saved = client.checkpoints(id);
    if (saved.size() != 1 || !saved.get(0).step().equals("fetch")
        || saved.get(0).attempt() != 1 || !saved.get(0).state().equals(state)) {
      return "checkpoints: GetCheckpoints lists " + saved + ", want fetch saved by attempt 1"
          + " with " + Json.write(state);
    }
    System.out.println("worker checkpoints check passed: attempt 1 saved \"fetch\", attempt 2"
        + " resumed from it and completed (" + type + ")");
    return null;
  }

  private String checkWaiting() throws InterruptedException {
    String type = actionType.replace("conformance.worker.", "conformance.waiting.");
    String signal = "workercheck:" + project + ":" + type;
    long id = client.enqueue(EnqueueRequest.newBuilder().addActions(NewAction.newBuilder()
            .setActionType(type).setProject(project).setCreatedBy(createdBy)
            .setTargetRef("waits")).build())
        .getActions(0).getAction().getId();
    AtomicInteger runs = new AtomicInteger();
    Worker worker = Worker.builder(client)
        .name("conformance-java-waiting")
        .project(project)
        .actionTypes(type)
        .lease(LEASE)
        .claimWait(Duration.ofSeconds(1))
        .stopOnShutdown(false)
        .handler(job -> {
          runs.incrementAndGet();
          WakeUp wake = job.waitForSignal(signal); // throws SuspendedException on the first run
          return Result.of(wake.step(), Json.object()
              .<ObjectNode>set("payload", wake.payload())
              .put("timed_out", wake.timedOut()));
        })
        .build();
    AtomicReference<Throwable> crashed = new AtomicReference<>();
    Thread running = new Thread(worker::run, "conformance-waiting-worker");
    running.setUncaughtExceptionHandler((t, e) -> crashed.set(e));
    running.start();
    ObjectNode payload = Json.parseObject("{\"approved_by\": \"alice\", \"n\": 9007199254740993}");
    Action done;
    List<Long> woken;
    try {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      ActionStatus status;
      while ((status = client.getAction(GetActionRequest.newBuilder().setId(id).build())
          .getAction().getStatus()) != ActionStatus.ACTION_STATUS_WAITING) {
        if (System.nanoTime() > deadline) {
          return "waiting: the action is " + status + ", never WAITING";
        }
        Thread.sleep(20); // poll interval
      }
      woken = client.signal(signal, payload, null, null).getWokenList();
      done = client.waitFor(List.of(id), Duration.ofSeconds(20)).get(0);
    } finally {
      worker.close();
      running.join();
    }
    if (crashed.get() != null) {
      return "waiting: Worker.run threw " + crashed.get();
    }
    if (!woken.contains(id)) {
      return "waiting: the signal woke " + woken + ", not " + id;
    }
    ObjectNode want = Json.object().<ObjectNode>set("payload", payload).put("timed_out", false);
    JsonNode result = Json.result(done).orElse(null);
    if (done.getStatus() != ActionStatus.ACTION_STATUS_COMPLETED || done.getAttempt() != 1
        || !done.getResultRef().equals("signal:" + signal)
        || result == null || !result.equals(want)) {
      return "waiting: the action is " + done.getStatus() + " on attempt " + done.getAttempt()
          + " with result " + quote(done.getResultJson()) + " (" + done.getResultRef()
          + "), want COMPLETED on attempt 1 with " + Json.write(want);
    }
    if (runs.get() != 2) {
      return "waiting: the handler ran " + runs.get() + " times, want 2 (suspended, then woken)";
    }
    System.out.println("worker waiting check passed: the handler suspended on " + quote(signal)
        + ", the signal woke it and the re-run completed with its payload");
    return null;
  }

  /** The payload of the action with this target_ref: its index beyond 2^53, as text too. */
  private static ObjectNode expectedPayload(String targetRef) {
    int index = Integer.parseInt(targetRef.substring("item-".length()));
    BigInteger n = BigInteger.TWO.pow(53).add(BigInteger.valueOf(index));
    return Json.parseObject("{\"n\": " + n + ", \"text\": \"" + n + " ✓\"}");
  }

  /** The result the handler returns for action {@code id}, as the server must give it back. */
  private static ObjectNode expectedResult(long id) {
    return Json.parseObject("{\"id\": " + id + ", \"beyond_int64\": "
        + BIG.add(BigInteger.valueOf(id)) + "}");
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  /**
   * The repeated-id check (see the class comment). Returns null when it passed (after printing
   * its summary), else why it failed.
   */
  private static String checkRepeatedIds() throws InterruptedException, IOException {
    StandInServer service = new StandInServer();
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(service)
        .build()
        .start();
    // The stand-in is plaintext and checks no token: none of the environment's TLS settings
    // or token apply to it.
    try (ActionQueueClient client = ActionQueueClient.builder()
        .channel(Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(),
            InsecureChannelCredentials.create()).build())
        .authToken("")
        .build()) {
      CountDownLatch started = new CountDownLatch(REPEATED_IDS.size());
      Worker worker = Worker.builder(client)
          .name("conformance-java-worker")
          .concurrency(REPEATED_IDS.size())
          .lease(LEASE)
          .completeBatchWindow(REPEATED_WINDOW)
          .stopOnShutdown(false)
          .handler(job -> {
            // Return together, so that all five completions wait in the outbox at once.
            started.countDown();
            started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Result.of("done:" + job.id());
          })
          .build();
      AtomicReference<Throwable> crashed = new AtomicReference<>();
      Thread running = new Thread(worker::run, "conformance-repeated-ids-worker");
      running.setUncaughtExceptionHandler((t, e) -> crashed.set(e));
      running.start();
      boolean all = started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      worker.close(); // stop claiming, finish handlers, flush the outbox
      running.join();
      if (crashed.get() != null) {
        return "repeated ids: Worker.run threw " + crashed.get();
      }
      if (!all) {
        return "repeated ids: handled " + (REPEATED_IDS.size() - started.getCount()) + " of "
            + REPEATED_IDS.size() + " claimed actions in " + TIMEOUT.toSeconds() + " s";
      }
    } finally {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }

    List<List<Long>> batches = service.batches();
    List<Long> sent = new ArrayList<>();
    for (List<Long> batch : batches) {
      if (new HashSet<>(batch).size() != batch.size()) {
        return "repeated ids: one CompleteMany named an action id twice: " + batch
            + " (all calls: " + batches + ")";
      }
      sent.addAll(batch);
    }
    List<Long> want = new ArrayList<>(REPEATED_IDS);
    List<Long> got = new ArrayList<>(sent);
    Collections.sort(want);
    Collections.sort(got);
    if (!got.equals(want)) {
      return "repeated ids: completions queued for ids " + REPEATED_IDS + ", sent " + sent
          + " in CompleteMany calls " + batches;
    }
    System.out.printf(
        "worker check passed: completions for action ids %s, claimed together, went out in %d"
            + " CompleteMany calls %s, none naming an id twice%n",
        REPEATED_IDS, batches.size(), batches);
    return null;
  }

  /**
   * Stands in for the server in the repeated-id check: its first Claim hands out
   * {@link #REPEATED_IDS} (each with its own lease token), later ones find nothing after a short
   * wait, heartbeats succeed, and CompleteMany records the ids it names and, like the real
   * server, refuses the whole call with INVALID_ARGUMENT when one appears twice.
   */
  private static final class StandInServer
      extends ActionQueueServiceGrpc.ActionQueueServiceImplBase {
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final List<List<Long>> batches = Collections.synchronizedList(new ArrayList<>());

    List<List<Long>> batches() {
      synchronized (batches) {
        return List.copyOf(batches);
      }
    }

    @Override
    public void claim(ClaimRequest request, StreamObserver<ClaimResponse> response) {
      ClaimResponse.Builder answer = ClaimResponse.newBuilder();
      if (claimed.compareAndSet(false, true)) {
        for (int i = 0; i < REPEATED_IDS.size(); i++) {
          answer.addActions(ClaimedAction.newBuilder()
              .setAction(Action.newBuilder()
                  .setId(REPEATED_IDS.get(i))
                  .setActionType("conformance.repeated-ids")
                  .setStatus(ActionStatus.ACTION_STATUS_CLAIMED))
              .setLeaseToken("lease-" + i));
        }
      } else {
        // Nothing left: a long poll that finds nothing (kept short; the worker is stopping).
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
      response.onNext(HeartbeatResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void completeMany(
        CompleteManyRequest request, StreamObserver<CompleteManyResponse> response) {
      List<Long> ids = new ArrayList<>();
      for (CompleteRequest c : request.getCompletionsList()) {
        ids.add(c.getId());
      }
      batches.add(List.copyOf(ids));
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < ids.size(); i++) {
        if (!seen.add(ids.get(i))) {
          response.onError(Status.INVALID_ARGUMENT
              .withDescription("completions[" + i + "].id: action " + ids.get(i) + " appears twice")
              .asRuntimeException());
          return;
        }
      }
      response.onNext(CompleteManyResponse.getDefaultInstance());
      response.onCompleted();
    }
  }
}
