package dev.actionq.client;

import dev.actionq.v1.Action;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteManyRequest;
import dev.actionq.v1.CompleteManyResponse;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.SaveCheckpointRequest;
import dev.actionq.v1.SuspendResponse;
import dev.actionq.v1.ItemFailure;
import dev.actionq.v1.RejectRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Claims actions and runs a {@link Handler} on each, keeping the lease alive meanwhile.
 *
 * <p>{@link #run()} long-polls Claim for as many actions as there are free handler threads,
 * hands each to the {@link Handler} as a {@link Job} (the action and its payload decoded by
 * {@link Json}), heartbeats every lease/3 while a handler runs, and reports the returned
 * {@link Result}: completes (its structured result goes out as {@code result_json}), rejects,
 * or fails (retried by the backoff, after a chosen delay, or not at all); a handler that throws
 * fails the attempt with the exception's message. {@link Job#progress} reports progress while the
 * handler runs. Completions are
 * batched: they wait {@link Builder#completeBatchWindow} in an outbox and go out together in one
 * CompleteMany. A handler's slot is free again as soon as it returns; at most {@code concurrency}
 * reports are in flight. When a heartbeat reports that an operator cancelled the action, the
 * handler's thread is interrupted and the action is left alone. {@link #close()}, SIGINT/SIGTERM
 * (through a shutdown hook) or an interrupt of the thread in {@code run()} stop claiming, let
 * running handlers finish, send every queued completion and then return.
 *
 * <pre>{@code
 * try (Worker worker = Worker.builder(client).actionTypes("email.send")
 *     .handler(job -> Result.of("sent:" + job.payload().path("to").asText())).build()) {
 *   worker.run();
 * }
 * }</pre>
 */
public final class Worker implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Worker.class.getName());
  private static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final int REPORT_ATTEMPTS = 3;
  /** Most completions in one CompleteMany (the server's limit). */
  private static final int MAX_BATCH = 1000;

  private final ActionQueueClient client;
  private final String name;
  private final String queue;
  private final List<String> queues;
  private final String project;
  private final List<String> actionTypes;
  private final int concurrency;
  private final int maxActionsPerClaim;
  private final Duration lease;
  private final Duration wait;
  private final Handler handler;
  private final boolean stopOnShutdown;
  private final Duration completeBatchWindow;

  /** One permit per handler thread that is free (neither running nor about to run a handler). */
  private final Semaphore slots;
  /**
   * Outcomes handed over but not yet acknowledged. A handler takes a permit before it gives its
   * slot back and whoever sends the report returns it, so a slow server holds the worker back
   * instead of letting reports pile up.
   */
  private final Semaphore reports;
  private final Outbox outbox = new Outbox();

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile Context.CancellableContext claimContext;

  private Worker(Builder b) {
    this.client = b.client;
    this.name = b.name != null ? b.name : defaultName();
    this.queue = b.queue;
    this.queues = List.copyOf(b.queues);
    this.project = b.project;
    this.actionTypes = List.copyOf(b.actionTypes);
    this.concurrency = b.concurrency;
    this.maxActionsPerClaim = b.maxActionsPerClaim > 0 ? b.maxActionsPerClaim : b.concurrency;
    this.lease = b.lease;
    this.wait = b.wait;
    this.handler = Objects.requireNonNull(b.handler, "handler is required");
    this.stopOnShutdown = b.stopOnShutdown;
    this.completeBatchWindow = b.completeBatchWindow;
    this.slots = new Semaphore(concurrency);
    this.reports = new Semaphore(concurrency);
  }

  /** Starts a builder for a worker that talks through {@code client}. */
  public static Builder builder(ActionQueueClient client) {
    return new Builder(client);
  }

  /** The name recorded as {@code claimed_by}. */
  public String name() {
    return name;
  }

  /**
   * Claims and handles actions until {@link #stop()}/{@link #close()}, a shutdown signal or an
   * interrupt; then waits for running handlers to finish, sends their reports and returns. Runs
   * once per worker.
   */
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a Worker runs only once");
    }
    Thread hook = new Thread(this::close, "actionq-worker-shutdown");
    if (stopOnShutdown) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    ExecutorService handlers = Executors.newFixedThreadPool(concurrency, threads("handler"));
    ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(
        Math.min(concurrency, 4), threads("heartbeat"));
    // Fail and Reject are sent from here, so that a handler thread is free for the next action
    // while they are in flight (threads start only when needed; reports bounds them).
    ExecutorService reporters = Executors.newFixedThreadPool(concurrency, threads("reporter"));
    outbox.start();
    boolean interrupted = false;
    try {
      interrupted = claimLoop(handlers, heartbeats, reporters);
    } finally {
      handlers.shutdown();
      interrupted |= awaitQuietly(handlers);
      heartbeats.shutdown();
      reporters.shutdown();
      interrupted |= awaitQuietly(reporters);
      outbox.close();
      finished.countDown();
      if (stopOnShutdown) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running or about to: nothing to remove.
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Asks the worker to stop claiming; returns at once. Safe to call from a handler. */
  public void stop() {
    if (stopping.compareAndSet(false, true)) {
      stopRequested.countDown();
      Context.CancellableContext ctx = claimContext;
      if (ctx != null) {
        ctx.cancel(null);
      }
    }
  }

  /**
   * Stops the worker and, if it is running, waits until its handlers have finished and their
   * reports were sent.
   */
  @Override
  public void close() {
    stop();
    if (!started.get()) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        finished.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns true when the loop ended because the running thread was interrupted. */
  private boolean claimLoop(ExecutorService handlers, ScheduledExecutorService heartbeats,
      ExecutorService reporters) {
    Duration backoff = Duration.ZERO;
    while (!stopping.get()) {
      try {
        if (!slots.tryAcquire(250, TimeUnit.MILLISECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        stop();
        return true;
      }
      int wanted = 1;
      while (wanted < maxActionsPerClaim && slots.tryAcquire()) {
        wanted++;
      }
      List<ClaimedAction> claimed;
      try {
        claimed = claim(wanted);
        backoff = Duration.ZERO;
      } catch (StatusRuntimeException e) {
        slots.release(wanted);
        if (stopping.get()) {
          break;
        }
        backoff = backoff.isZero()
            ? Duration.ofMillis(500) : min(backoff.multipliedBy(2), MAX_BACKOFF);
        LOG.log(Level.WARNING, "actionq worker {0}: claim failed ({1}), retrying in {2} ms",
            name, describe(e), String.valueOf(backoff.toMillis()));
        try {
          stopRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          stop();
          return true;
        }
        continue;
      }
      slots.release(wanted - claimed.size());
      for (ClaimedAction c : claimed) {
        handlers.execute(() -> process(c, heartbeats, reporters));
      }
    }
    return false;
  }

  private List<ClaimedAction> claim(int maxActions) {
    ClaimRequest.Builder request = ClaimRequest.newBuilder()
        .setWorker(name)
        .setQueue(queue)
        .addAllQueues(queues)
        .addAllActionTypes(actionTypes)
        .setProject(project)
        .setMaxActions(maxActions)
        .setLease(Protos.duration(lease));
    if (!wait.isZero()) {
      request.setWait(Protos.duration(wait));
    }
    Context.CancellableContext ctx = Context.current().withCancellation();
    claimContext = ctx;
    try {
      if (stopping.get()) {
        return List.of();
      }
      return ctx.call(() -> client.claim(request.build()).getActionsList());
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw Status.UNKNOWN.withCause(e).withDescription(e.toString()).asRuntimeException();
    } finally {
      claimContext = null;
      ctx.cancel(null);
    }
  }

  /**
   * Runs the handler of one action, gives its slot back as soon as it returns (after taking a
   * report permit) and hands the outcome to {@link #report}, which does not wait for the server
   * on this thread.
   */
  private void process(ClaimedAction claimed, ScheduledExecutorService heartbeats,
      ExecutorService reporters) {
    Outcome outcome;
    try {
      outcome = handle(claimed, heartbeats);
      if (outcome != null) {
        reports.acquireUninterruptibly();
      }
    } finally {
      slots.release();
    }
    if (outcome != null) {
      report(claimed, outcome, reporters);
    }
  }

  /** Runs the handler with heartbeats; returns what to report, or null when abandoned. */
  private Outcome handle(ClaimedAction claimed, ScheduledExecutorService heartbeats) {
    Action action = claimed.getAction();
    Lease held = new Lease(Thread.currentThread());
    long period = Math.max(lease.dividedBy(3).toMillis(), MIN_HEARTBEAT.toMillis());
    ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(
        () -> heartbeat(claimed, held), period, period, TimeUnit.MILLISECONDS);
    Result result = null;
    Throwable error = null;
    try {
      result = handler.handle(new Job(action, Json.payload(action),
          progressJson -> sendProgress(claimed, held, progressJson),
          new Job.Checkpointer() {
            @Override
            public CheckpointRecord save(String step, String stateJson) {
              return saveCheckpoint(claimed, held, step, stateJson);
            }

            @Override
            public List<CheckpointRecord> list() {
              return client.checkpoints(action.getId());
            }
          },
          (step, signal, timeout) -> suspend(claimed, held, step, signal, timeout)));
    } catch (Throwable t) {
      error = t;
    } finally {
      beat.cancel(false);
    }
    String abandoned = held.finish();
    Thread.interrupted();
    if (abandoned != null) {
      LOG.log(Level.INFO, "actionq worker {0}: action {1} {2}; not reporting it",
          name, String.valueOf(action.getId()), abandoned);
      return null;
    }
    if (error instanceof VirtualMachineError) {
      throw (VirtualMachineError) error;
    }
    return new Outcome(result, error);
  }

  /**
   * Queues a completion in the outbox, or sends Fail/Reject from a reporter thread. Either way
   * the report permit that {@link #process} took is returned once the server answered.
   */
  private void report(ClaimedAction claimed, Outcome outcome, ExecutorService reporters) {
    long id = claimed.getAction().getId();
    String token = claimed.getLeaseToken();
    Result result = outcome.result;
    Throwable error = outcome.error;
    if (error == null && (result == null || !(result.isRejection() || result.isFailure()))) {
      Result done = result != null ? result : Result.done();
      outbox.add(CompleteRequest.newBuilder()
          .setId(id).setLeaseToken(token).setResultRef(done.resultRef())
          .setResultJson(done.resultJson()).build());
      return;
    }
    reporters.execute(() -> {
      try {
        if (error != null) {
          String reason = error.getMessage() != null && !error.getMessage().isBlank()
              ? error.getMessage() : error.toString();
          retrying(() -> client.fail(
              FailRequest.newBuilder().setId(id).setLeaseToken(token).setReason(reason).build()));
        } else if (result.isFailure()) {
          FailRequest.Builder fail = FailRequest.newBuilder().setId(id).setLeaseToken(token)
              .setReason(result.failureReason()).setNoRetry(result.noRetry());
          result.retryDelay().ifPresent(d -> fail.setRetryDelay(Protos.duration(d)));
          retrying(() -> client.fail(fail.build()));
        } else {
          String validator = result.validator().isEmpty() ? name : result.validator();
          retrying(() -> client.reject(RejectRequest.newBuilder().setId(id).setLeaseToken(token)
              .setReason(result.rejectReason()).setValidator(validator).build()));
        }
      } catch (StatusRuntimeException e) {
        logReportFailed(id, describe(e));
      } finally {
        reports.release();
      }
    });
  }

  private void logReportFailed(long id, String why) {
    LOG.log(Level.WARNING, "actionq worker {0}: reporting action {1} failed: {2}",
        name, String.valueOf(id), why);
  }

  private void heartbeat(ClaimedAction claimed, Lease held) {
    if (held.isFinished()) {
      return;
    }
    try {
      HeartbeatResponse response = client.heartbeat(HeartbeatRequest.newBuilder()
          .setId(claimed.getAction().getId())
          .setLeaseToken(claimed.getLeaseToken())
          .setLease(Protos.duration(lease))
          .build());
      if (response.getCancelled()) {
        held.abandon("was cancelled");
      }
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.NOT_FOUND) {
        held.abandon("lost its lease (" + describe(e) + ")");
      } else {
        LOG.log(Level.WARNING, "actionq worker {0}: heartbeat of action {1} failed: {2}",
            name, String.valueOf(claimed.getAction().getId()), describe(e));
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep beating.
      LOG.log(Level.WARNING, "actionq worker {0}: heartbeat of action {1} failed: {2}",
          name, String.valueOf(claimed.getAction().getId()), e);
    }
  }

  /**
   * A handler's {@link Job#progress}: one heartbeat carrying the progress, on the handler's
   * thread. A cancelled action or a lost lease abandons it as a scheduled heartbeat would.
   */
  private void sendProgress(ClaimedAction claimed, Lease held, String progressJson) {
    HeartbeatResponse response;
    try {
      response = client.heartbeat(HeartbeatRequest.newBuilder()
          .setId(claimed.getAction().getId())
          .setLeaseToken(claimed.getLeaseToken())
          .setLease(Protos.duration(lease))
          .setProgressJson(progressJson)
          .build());
    } catch (ActionqException e) {
      if (e.code() == Status.Code.FAILED_PRECONDITION || e.code() == Status.Code.NOT_FOUND) {
        held.abandon("lost its lease (" + describe(e) + ")");
      }
      throw e;
    }
    if (response.getCancelled()) {
      held.abandon("was cancelled");
    }
  }

  /** A handler's checkpoint: one SaveCheckpoint under its lease. */
  private CheckpointRecord saveCheckpoint(
      ClaimedAction claimed, Lease held, String step, String stateJson) {
    try {
      return CheckpointRecord.of(client.saveCheckpoint(SaveCheckpointRequest.newBuilder()
          .setId(claimed.getAction().getId())
          .setLeaseToken(claimed.getLeaseToken())
          .setStep(step)
          .setStateJson(stateJson)
          .build()).getCheckpoint());
    } catch (ActionqException e) {
      if (e.code() == Status.Code.FAILED_PRECONDITION || e.code() == Status.Code.NOT_FOUND) {
        held.abandon("lost its lease (" + describe(e) + ")");
      }
      throw e;
    }
  }

  /**
   * A handler's wait: one Suspend under its lease. When the action now waits, the lease is
   * given up: the job is abandoned (nothing will be reported) and SuspendedException thrown.
   */
  private WakeUp suspend(
      ClaimedAction claimed, Lease held, String step, String signal, Duration timeout) {
    long id = claimed.getAction().getId();
    SuspendResponse response;
    try {
      response = client.suspend(id, claimed.getLeaseToken(), step, signal, timeout);
    } catch (ActionqException e) {
      if (e.code() == Status.Code.FAILED_PRECONDITION || e.code() == Status.Code.NOT_FOUND) {
        held.abandon("lost its lease (" + describe(e) + ")");
      }
      throw e;
    }
    if (response.getSuspended()) {
      held.abandon("is waiting (" + step + ")");
      throw new SuspendedException(id, step);
    }
    if (!response.hasWake()) {
      throw new IllegalStateException("Suspend of action " + id + " at " + step
          + " answered neither suspended nor a wake-up");
    }
    return WakeUp.of(response.getWake());
  }

  /** Retries a report while the server is unavailable, a few times with a growing pause. */
  private static <T> T retrying(Supplier<T> call) {
    long pauseMillis = 250;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == REPORT_ATTEMPTS) {
          throw e;
        }
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
      pauseMillis *= 4;
    }
  }

  private static boolean awaitQuietly(ExecutorService executor) {
    boolean interrupted = false;
    while (true) {
      try {
        if (executor.awaitTermination(1, TimeUnit.DAYS)) {
          return interrupted;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  private static String describe(StatusRuntimeException e) {
    ActionqException typed = ActionqException.from(e);
    String code = typed.reasonName().isEmpty()
        ? typed.code().name() : typed.code() + "/" + typed.reasonName();
    return typed.message().isEmpty() ? code : code + " (" + typed.message() + ")";
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private ThreadFactory threads(String role) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, "actionq-" + role + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static String defaultName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return "java:" + host + ":" + ProcessHandle.current().pid();
  }

  /** What a handler ended with: a result (null means done) or the error it threw. */
  private record Outcome(Result result, Throwable error) {}

  /**
   * Collects completions and sends them in batches from one thread: once a completion arrives it
   * waits {@code completeBatchWindow} for more, then sends everything queued in CompleteMany calls
   * of at most {@value #MAX_BATCH}, never naming one action id twice in a call (a repeated id
   * waits for the next one). Each item's report permit is returned after its answer.
   */
  private final class Outbox {
    private final ArrayDeque<CompleteRequest> queue = new ArrayDeque<>();
    private boolean closed;
    private Thread sender;

    void start() {
      sender = threads("outbox").newThread(this::sendLoop);
      sender.start();
    }

    synchronized void add(CompleteRequest request) {
      queue.add(request);
      notifyAll();
    }

    /** Sends whatever is still queued, without waiting for the window, then stops the sender. */
    void close() {
      synchronized (this) {
        closed = true;
        notifyAll();
      }
      boolean interrupted = false;
      while (sender != null) {
        try {
          sender.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    private void sendLoop() {
      while (true) {
        boolean linger;
        synchronized (this) {
          while (queue.isEmpty() && !closed) {
            try {
              wait();
            } catch (InterruptedException e) {
              // Nothing interrupts this thread on purpose; close() is how it ends.
            }
          }
          if (queue.isEmpty()) {
            return;
          }
          // Closing: send at once, nothing more will come.
          linger = !closed && queue.size() < MAX_BATCH && !completeBatchWindow.isZero();
        }
        if (linger) {
          try {
            TimeUnit.NANOSECONDS.sleep(completeBatchWindow.toNanos());
          } catch (InterruptedException e) {
            // Send what is there now.
          }
        }
        List<CompleteRequest> batch;
        synchronized (this) {
          batch = nextBatch();
        }
        send(batch);
      }
    }

    /**
     * Takes from the queue, in queue order, up to {@value #MAX_BATCH} completions with distinct
     * ids; the rest stay queued, in order, for the next batch. The server refuses a whole
     * CompleteMany that names an id twice, which can happen when a lease expired, the server
     * requeued the action and this worker claimed it again before the first report went out.
     */
    private List<CompleteRequest> nextBatch() {
      List<CompleteRequest> batch = new ArrayList<>();
      Set<Long> ids = new HashSet<>();
      for (Iterator<CompleteRequest> it = queue.iterator();
          it.hasNext() && batch.size() < MAX_BATCH; ) {
        CompleteRequest request = it.next();
        if (ids.add(request.getId())) {
          batch.add(request);
          it.remove();
        }
      }
      return batch;
    }

    /**
     * One CompleteMany; refused items and, when the call itself fails, every item are logged
     * and left alone: their leases expire and the server requeues them.
     */
    private void send(List<CompleteRequest> batch) {
      try {
        CompleteManyResponse response = retrying(() -> client.completeMany(
            CompleteManyRequest.newBuilder().addAllCompletions(batch).build()));
        for (ItemFailure f : response.getFailuresList()) {
          String code = f.getReason().isEmpty() ? f.getCode() : f.getCode() + "/" + f.getReason();
          logReportFailed(f.getId(), f.getMessage().isEmpty() ? code
              : code + " (" + f.getMessage() + ")");
        }
      } catch (RuntimeException e) {
        String why = e instanceof StatusRuntimeException
            ? describe((StatusRuntimeException) e) : e.toString();
        for (CompleteRequest r : batch) {
          logReportFailed(r.getId(), why);
        }
      } finally {
        reports.release(batch.size());
      }
    }
  }

  /** The state of one claimed action that its handler and its heartbeats share. */
  private static final class Lease {
    private final Thread handlerThread;
    private boolean finished;
    private String abandonedBecause;

    Lease(Thread handlerThread) {
      this.handlerThread = handlerThread;
    }

    synchronized boolean isFinished() {
      return finished;
    }

    /** Stops the handler: the action is no longer ours to finish. */
    synchronized void abandon(String because) {
      if (!finished && abandonedBecause == null) {
        abandonedBecause = because;
        handlerThread.interrupt();
      }
    }

    /** Marks the handler done; returns why the action was abandoned, or null to report it. */
    synchronized String finish() {
      finished = true;
      return abandonedBecause;
    }
  }

  /** Configures a {@link Worker}. */
  public static final class Builder {
    private final ActionQueueClient client;
    private String name;
    private String queue = "";
    private final List<String> queues = new ArrayList<>();
    private String project = "";
    private final List<String> actionTypes = new ArrayList<>();
    private int concurrency = 1;
    private int maxActionsPerClaim;
    private Duration lease = Duration.ofSeconds(30);
    private Duration wait = Duration.ofSeconds(30);
    private Handler handler;
    private boolean stopOnShutdown = true;
    private Duration completeBatchWindow = Duration.ofMillis(2);

    private Builder(ActionQueueClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Worker name recorded as {@code claimed_by}; default {@code java:<host>:<pid>}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Queue to claim from; default the server's "default" queue. */
    public Builder queue(String queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /**
     * Claim from any of these queues (at most 100) in one claim order; paused ones are skipped.
     * {@link #queue} must then be unset or one of them.
     */
    public Builder queues(String... queues) {
      this.queues.addAll(List.of(queues));
      return this;
    }

    /** Claim only actions of this project; default any. */
    public Builder project(String project) {
      this.project = Objects.requireNonNull(project, "project");
      return this;
    }

    /** Claim only these action types; default any. */
    public Builder actionTypes(String... actionTypes) {
      this.actionTypes.addAll(List.of(actionTypes));
      return this;
    }

    /** Handlers running at once (threads); default 1. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1");
      }
      this.concurrency = concurrency;
      return this;
    }

    /** Most actions one Claim asks for; default the concurrency. */
    public Builder maxActionsPerClaim(int maxActionsPerClaim) {
      if (maxActionsPerClaim < 1 || maxActionsPerClaim > 1000) {
        throw new IllegalArgumentException("maxActionsPerClaim must be 1 to 1000");
      }
      this.maxActionsPerClaim = maxActionsPerClaim;
      return this;
    }

    /** Lease taken by Claim and renewed by each heartbeat (every lease/3); default 30 s. */
    public Builder lease(Duration lease) {
      if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("lease must be 1 s to 24 h");
      }
      this.lease = lease;
      return this;
    }

    /** How long one Claim waits on the server for work; default 30 s, at most 60 s. */
    public Builder claimWait(Duration wait) {
      if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("claimWait must be 0 to 60 s");
      }
      this.wait = wait;
      return this;
    }

    /** The work to do for each action. Required. */
    public Builder handler(Handler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Whether SIGINT/SIGTERM stop the worker gracefully (a JVM shutdown hook); default true. */
    public Builder stopOnShutdown(boolean stopOnShutdown) {
      this.stopOnShutdown = stopOnShutdown;
      return this;
    }

    /**
     * How long a completion waits in the outbox for others to share its CompleteMany; default
     * 2 ms. Zero still sends together whatever is queued when the outbox sender gets to it.
     */
    public Builder completeBatchWindow(Duration completeBatchWindow) {
      if (completeBatchWindow.isNegative()) {
        throw new IllegalArgumentException("completeBatchWindow must not be negative");
      }
      this.completeBatchWindow = completeBatchWindow;
      return this;
    }

    /** Builds the worker; call {@link Worker#run()} to start it. */
    public Worker build() {
      return new Worker(this);
    }
  }
}
