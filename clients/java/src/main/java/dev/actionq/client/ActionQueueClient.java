package dev.actionq.client;

import dev.actionq.v1.Action;
import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.ActionQueueServiceGrpc.ActionQueueServiceBlockingStub;
import dev.actionq.v1.ActionQueueServiceGrpc.ActionQueueServiceStub;
import dev.actionq.v1.CancelRequest;
import dev.actionq.v1.CancelResponse;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.CompleteManyRequest;
import dev.actionq.v1.CompleteManyResponse;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.CompleteResponse;
import dev.actionq.v1.EmitEventRequest;
import dev.actionq.v1.EmitEventResponse;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.FailResponse;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.GetCheckpointsRequest;
import dev.actionq.v1.GetCheckpointsResponse;
import dev.actionq.v1.GetActionResponse;
import dev.actionq.v1.GetQueueStatsRequest;
import dev.actionq.v1.GetQueueStatsResponse;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.ListActionsRequest;
import dev.actionq.v1.ListActionsResponse;
import dev.actionq.v1.ListEventsRequest;
import dev.actionq.v1.ListEventsResponse;
import dev.actionq.v1.ListQueuesRequest;
import dev.actionq.v1.ListQueuesResponse;
import dev.actionq.v1.MigrateRequest;
import dev.actionq.v1.MigrateResponse;
import dev.actionq.v1.PauseQueueRequest;
import dev.actionq.v1.PauseQueueResponse;
import dev.actionq.v1.PruneRequest;
import dev.actionq.v1.PruneResponse;
import dev.actionq.v1.RejectRequest;
import dev.actionq.v1.RejectResponse;
import dev.actionq.v1.ResumeQueueRequest;
import dev.actionq.v1.ResumeQueueResponse;
import dev.actionq.v1.RetryRequest;
import dev.actionq.v1.RetryResponse;
import dev.actionq.v1.SaveCheckpointRequest;
import dev.actionq.v1.SaveCheckpointResponse;
import dev.actionq.v1.SignalMode;
import dev.actionq.v1.SignalRequest;
import dev.actionq.v1.SignalResponse;
import dev.actionq.v1.SuspendRequest;
import dev.actionq.v1.SuspendResponse;
import dev.actionq.v1.SweepRequest;
import dev.actionq.v1.SweepResponse;
import dev.actionq.v1.UpdateQueueRequest;
import dev.actionq.v1.UpdateQueueResponse;
import dev.actionq.v1.WaitActionRequest;
import dev.actionq.v1.WaitActionResponse;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A connection to an actionq server: one gRPC channel plus stubs that carry the auth token and a
 * default deadline on every unary call.
 *
 * <pre>{@code
 * try (ActionQueueClient client = ActionQueueClient.builder().build()) {
 *   client.enqueue(EnqueueRequest.newBuilder().addActions(...).build());
 * }
 * }</pre>
 *
 * <p>Every method maps one RPC; failures surface as {@link ActionqException} (a
 * {@link io.grpc.StatusRuntimeException}) with the server's status code and its reason.
 * {@link #enqueue} is the one call that retries by itself, safely, under a request id.
 * Payloads and results are JSON text in the messages; {@link Json} reads and writes them.
 * Thread-safe: share one client per process.
 */
public final class ActionQueueClient implements AutoCloseable {

  /** Environment variable naming the server address. */
  public static final String SERVER_ENV = "ACTIONQ_SERVER";

  /** Environment variable holding the API token, sent as {@code authorization: Bearer}. */
  public static final String TOKEN_ENV = "ACTIONQ_TOKEN";

  /** Environment variable naming a PEM file of the CA(s) to trust; implies TLS. */
  public static final String CA_FILE_ENV = "ACTIONQ_CA_FILE";

  /** Environment variable naming a PEM client certificate (mutual TLS); implies TLS. */
  public static final String CLIENT_CERT_ENV = "ACTIONQ_CLIENT_CERT";

  /** Environment variable naming the PEM (PKCS#8) key of the client certificate. */
  public static final String CLIENT_KEY_ENV = "ACTIONQ_CLIENT_KEY";

  /** Environment variable that, {@code true} (or 1, yes, on), turns on TLS with system roots. */
  public static final String TLS_ENV = "ACTIONQ_TLS";

  /** Address used when neither the builder nor {@value #SERVER_ENV} names one. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:50051";

  /** Deadline of a unary call unless the builder sets another one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Attempts of one Enqueue call unless the builder sets another number. */
  public static final int DEFAULT_ENQUEUE_ATTEMPTS = 4;

  /** Pause before the first Enqueue retry; it doubles up to {@link #ENQUEUE_MAX_BACKOFF}. */
  static final Duration ENQUEUE_FIRST_BACKOFF = Duration.ofMillis(100);

  /** Longest pause between two Enqueue attempts. */
  static final Duration ENQUEUE_MAX_BACKOFF = Duration.ofSeconds(1);

  private final String address;
  private final Duration timeout;
  private final int enqueueAttempts;
  private final ManagedChannel channel;
  private final ActionQueueServiceBlockingStub blocking;
  private final ActionQueueServiceStub async;

  private ActionQueueClient(Builder builder) {
    Security security = builder.security();
    this.address = security.address();
    this.timeout = builder.timeout;
    this.enqueueAttempts = builder.enqueueAttempts;
    if (builder.channel != null) {
      this.channel = builder.channel;
    } else {
      this.channel = security.newChannel();
    }
    ActionQueueServiceBlockingStub blocking = ActionQueueServiceGrpc.newBlockingStub(channel);
    ActionQueueServiceStub async = ActionQueueServiceGrpc.newStub(channel);
    if (security.token() != null) {
      BearerToken token = new BearerToken(security.token());
      blocking = blocking.withCallCredentials(token);
      async = async.withCallCredentials(token);
    }
    this.blocking = blocking;
    this.async = async;
  }

  /**
   * Starts a builder. What it does not set comes from the environment, as for every actionq
   * client: {@value #SERVER_ENV} (else {@value #DEFAULT_ADDRESS}),
   * {@value #TOKEN_ENV}, {@value #CA_FILE_ENV},
   * {@value #CLIENT_CERT_ENV} / {@value #CLIENT_KEY_ENV} and
   * {@value #TLS_ENV}; with none of them set: plaintext, no token, 10 s deadlines.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The address from {@code $ACTIONQ_SERVER}, else {@value #DEFAULT_ADDRESS}. */
  public static String defaultAddress() {
    return Security.resolve(System::getenv, null, false, "", null, null, null, false).address();
  }

  /** The address this client connects to. */
  public String address() {
    return address;
  }

  /** The default deadline of a unary call. */
  public Duration timeout() {
    return timeout;
  }

  /** The underlying channel, for callers that build their own stubs. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A blocking stub whose deadline is the default timeout from now. */
  public ActionQueueServiceBlockingStub blockingStub() {
    return blockingStub(timeout);
  }

  /** A blocking stub whose deadline is {@code deadline} from now. */
  public ActionQueueServiceBlockingStub blockingStub(Duration deadline) {
    return blocking.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** An async stub without a deadline, for streams that live as long as the caller wants. */
  public ActionQueueServiceStub asyncStub() {
    return async;
  }

  /**
   * Stores one or more actions atomically, retrying safely when the answer is lost.
   *
   * <p>The request goes out with a {@code request_id}: the caller's, or a fresh random UUID when
   * it has none. When an attempt fails with UNAVAILABLE or DEADLINE_EXCEEDED (the server may
   * have stored the actions and the answer was lost), the same request, under the same id, is
   * sent again, up to the builder's {@code enqueueAttempts} in all, pausing 100 ms, 200 ms, …
   * up to 1 s in between. The server answers a repeated id with the first call's actions and
   * {@code replayed = true} instead of storing them twice.
   *
   * @throws ActionqException the last attempt's error, or any other error at once
   */
  public EnqueueResponse enqueue(EnqueueRequest request) {
    EnqueueRequest sent = request.getRequestId().isEmpty()
        ? request.toBuilder().setRequestId(UUID.randomUUID().toString()).build() : request;
    Duration pause = ENQUEUE_FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return blockingStub().enqueue(sent);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean answerMayBeLost =
            code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        if (!answerMayBeLost || attempt >= enqueueAttempts) {
          throw ActionqException.from(e);
        }
      }
      try {
        TimeUnit.NANOSECONDS.sleep(pause.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ActionqException.from(Status.CANCELLED
            .withDescription("interrupted between Enqueue attempts").withCause(e)
            .asRuntimeException());
      }
      pause = pause.multipliedBy(2).compareTo(ENQUEUE_MAX_BACKOFF) < 0
          ? pause.multipliedBy(2) : ENQUEUE_MAX_BACKOFF;
    }
  }

  /** Reads one action. */
  public GetActionResponse getAction(GetActionRequest request) {
    return call(() -> blockingStub().getAction(request));
  }

  /** Lists one page of actions. */
  public ListActionsResponse listActions(ListActionsRequest request) {
    return call(() -> blockingStub().listActions(request));
  }

  /**
   * Claims up to {@code max_actions} actions. The deadline is the request's {@code wait} plus the
   * default timeout, so a long poll is never cut short by the client.
   */
  public ClaimResponse claim(ClaimRequest request) {
    Duration wait = request.hasWait() ? Protos.duration(request.getWait()) : Duration.ZERO;
    return call(() -> blockingStub(wait.plus(timeout)).claim(request));
  }

  /**
   * Extends a lease; the response says whether the action was cancelled meanwhile. A
   * {@code progress_json} ({@link Json#writeObject}) is stored on the action as its progress.
   */
  public HeartbeatResponse heartbeat(HeartbeatRequest request) {
    return call(() -> blockingStub().heartbeat(request));
  }

  /** Marks a claimed action completed. */
  public CompleteResponse complete(CompleteRequest request) {
    return call(() -> blockingStub().complete(request));
  }

  /**
   * Completes up to 1,000 claimed actions in one transaction. Items the server refuses come back
   * in {@code failures} (id, status code name, message, reason such as {@code "STALE_LEASE"})
   * and do not stop the others.
   */
  public CompleteManyResponse completeMany(CompleteManyRequest request) {
    return call(() -> blockingStub().completeMany(request));
  }

  /**
   * Records a failed attempt: retried after {@code retry_delay} (else the action's backoff) while
   * attempts remain, ended failed at once with {@code no_retry}.
   */
  public FailResponse fail(FailRequest request) {
    return call(() -> blockingStub().fail(request));
  }

  /**
   * Saves one step's state for a claimed action under its lease; saving a step again replaces
   * its state.
   *
   * @throws ActionqException FAILED_PRECONDITION / STALE_LEASE when the lease is not the current
   *     claim's, ILLEGAL_TRANSITION when the action is not claimed
   */
  public SaveCheckpointResponse saveCheckpoint(SaveCheckpointRequest request) {
    return call(() -> blockingStub().saveCheckpoint(request));
  }

  /**
   * Saves {@code state} (a JSON object: an {@code ObjectNode}, a {@code Map} or a record/bean,
   * written losslessly by {@link Json#writeObject}) under {@code step} for the claimed action
   * {@code id}, under {@code leaseToken}; see {@link #saveCheckpoint(SaveCheckpointRequest)}.
   *
   * @throws IllegalArgumentException when {@code state} is not a JSON object
   */
  public CheckpointRecord saveCheckpoint(long id, String leaseToken, String step, Object state) {
    String stateJson = Json.writeObject(Objects.requireNonNull(state, "state"));
    return CheckpointRecord.of(saveCheckpoint(SaveCheckpointRequest.newBuilder()
        .setId(id).setLeaseToken(leaseToken).setStep(step).setStateJson(stateJson).build())
        .getCheckpoint());
  }

  /** Lists an action's checkpoints from every attempt, oldest step first. */
  public GetCheckpointsResponse getCheckpoints(GetCheckpointsRequest request) {
    return call(() -> blockingStub().getCheckpoints(request));
  }

  /** The checkpoints of action {@code id} from every attempt, oldest step first, decoded. */
  public List<CheckpointRecord> checkpoints(long id) {
    return getCheckpoints(GetCheckpointsRequest.newBuilder().setId(id).build())
        .getCheckpointsList().stream().map(CheckpointRecord::of).toList();
  }

  /**
   * Parks a claimed action until a signal arrives or a time passes, the wait named {@code step}:
   * {@code suspended} true when it now waits (the lease is given up), else {@code wake} is the
   * wait's outcome at once (the step woke before, or a kept signal matched). Worker handlers use
   * {@link Job#waitForSignal} and {@link Job#sleep} instead.
   */
  public SuspendResponse suspend(SuspendRequest request) {
    return call(() -> blockingStub().suspend(request));
  }

  /**
   * Suspends the claimed action {@code id} under {@code leaseToken} until {@code signal} ("" for
   * a sleep) arrives or {@code timeout} (null: none) passes; see {@link #suspend(SuspendRequest)}.
   */
  public SuspendResponse suspend(
      long id, String leaseToken, String step, String signal, Duration timeout) {
    SuspendRequest.Builder request = SuspendRequest.newBuilder()
        .setId(id).setLeaseToken(leaseToken).setStep(step).setSignal(signal);
    if (timeout != null) {
      request.setTimeout(Protos.duration(timeout));
    }
    return suspend(request.build());
  }

  /**
   * Sends a named signal: wakes the actions waiting for it (every one with
   * {@code SIGNAL_MODE_BROADCAST}, one with {@code SIGNAL_MODE_ONE}) and keeps it for later
   * waiters ({@code keep}, default 24 h); the response lists the woken ids and
   * {@code kept_until}.
   */
  public SignalResponse signal(SignalRequest request) {
    return call(() -> blockingStub().signal(request));
  }

  /**
   * Sends the signal {@code name} with {@code payload} (a JSON object: an {@code ObjectNode}, a
   * {@code Map} or a record/bean, written losslessly; null for {}) in {@code mode} (null:
   * broadcast), kept for {@code keep} (null: the server's 24 h; zero: not kept).
   */
  public SignalResponse signal(String name, Object payload, SignalMode mode, Duration keep) {
    SignalRequest.Builder request = SignalRequest.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setMode(mode != null ? mode : SignalMode.SIGNAL_MODE_BROADCAST);
    if (payload != null) {
      request.setPayloadJson(Json.writeObject(payload));
    }
    if (keep != null) {
      request.setKeep(Protos.duration(keep));
    }
    return signal(request.build());
  }

  /** Marks a claimed action rejected by a validator. */
  public RejectResponse reject(RejectRequest request) {
    return call(() -> blockingStub().reject(request));
  }

  /** Cancels a pending or claimed action. */
  public CancelResponse cancel(CancelRequest request) {
    return call(() -> blockingStub().cancel(request));
  }

  /**
   * Puts dead actions (failed, rejected, cancelled) back to pending with fresh attempts: the
   * request's ids, or those its filter matches (statuses, action type, project, queue, limit).
   *
   * @throws ActionqException FAILED_PRECONDITION / ILLEGAL_TRANSITION when a named action is not
   *     dead (none is retried then)
   */
  public RetryResponse retry(RetryRequest request) {
    return call(() -> blockingStub().retry(request));
  }

  /** Retries these dead actions by id; see {@link #retry(RetryRequest)}. */
  public RetryResponse retry(Collection<Long> ids) {
    return retry(RetryRequest.newBuilder().addAllIds(ids).build());
  }

  /**
   * Waits until every named action is in a terminal status. The deadline is the request's
   * {@code timeout} plus the default timeout, so the server's answer is never cut short.
   *
   * @throws WaitTimeoutException when the request's timeout passed first (DEADLINE_EXCEEDED /
   *     WAIT_TIMEOUT)
   */
  public WaitActionResponse waitAction(WaitActionRequest request) {
    Duration wait = request.hasTimeout() ? Protos.duration(request.getTimeout()) : Duration.ZERO;
    try {
      return call(() -> blockingStub(wait.plus(timeout)).waitAction(request));
    } catch (ActionqException e) {
      throw e.is(dev.actionq.v1.ErrorReason.ERROR_REASON_WAIT_TIMEOUT)
          ? new WaitTimeoutException(e) : e;
    }
  }

  /**
   * Waits up to {@code timeout} until each of {@code ids} is completed, failed, rejected or
   * cancelled, and returns them in the order asked. The server answers as soon as the last one
   * finishes (it follows the event log; nothing polls).
   *
   * @throws WaitTimeoutException when {@code timeout} passed first; the actions go on
   * @throws ActionqException e.g. NOT_FOUND / ACTION_NOT_FOUND for an unknown id
   */
  public List<Action> waitFor(Collection<Long> ids, Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative");
    }
    return waitAction(WaitActionRequest.newBuilder()
        .addAllIds(ids).setTimeout(Protos.duration(timeout)).build()).getActionsList();
  }

  /** Lists every queue with its defaults, paused flag and live counts. */
  public ListQueuesResponse listQueues() {
    return call(() -> blockingStub().listQueues(ListQueuesRequest.getDefaultInstance()));
  }

  /** Sets a queue's defaults (max_attempts, backoff, lease), creating it when new. */
  public UpdateQueueResponse updateQueue(UpdateQueueRequest request) {
    return call(() -> blockingStub().updateQueue(request));
  }

  /** Stops claiming from a queue; enqueuing goes on. */
  public PauseQueueResponse pauseQueue(PauseQueueRequest request) {
    return call(() -> blockingStub().pauseQueue(request));
  }

  /** Lets claiming from a paused queue go on, waking the claims waiting on it. */
  public ResumeQueueResponse resumeQueue(ResumeQueueRequest request) {
    return call(() -> blockingStub().resumeQueue(request));
  }

  /** Deletes one bounded batch of old finished actions; call again while {@code more}. */
  public PruneResponse prune(PruneRequest request) {
    return call(() -> blockingStub().prune(request));
  }

  /**
   * Requeues every claimed action whose lease has expired; one on its last attempt ends failed
   * instead.
   */
  public SweepResponse sweep() {
    return call(() -> blockingStub().sweep(SweepRequest.getDefaultInstance()));
  }

  /** Reads one page of the event log. */
  public ListEventsResponse listEvents(ListEventsRequest request) {
    return call(() -> blockingStub().listEvents(request));
  }

  /**
   * Follows the event log. Messages arrive on {@code observer} from a gRPC thread, an error as
   * an {@link ActionqException}; cancel the stream through the
   * {@link io.grpc.stub.ClientCallStreamObserver} that a {@link ClientResponseObserver} receives
   * in {@code beforeStart}. To resume after a disconnect, pass the last message's
   * {@code cursor} (an opaque string, never parsed or compared for order) as
   * {@code after_cursor}.
   */
  public void watchEvents(
      WatchEventsRequest request, StreamObserver<WatchEventsResponse> observer) {
    asyncStub().watchEvents(request, typedErrors(observer));
  }

  /**
   * Follows the event log after {@code request}'s {@code after_cursor} (or from the end, with
   * {@code from_end}), resuming across disconnects from the last cursor; see
   * {@link EventFollower}. Pauses one second before each reconnect.
   */
  public EventFollower followEvents(WatchEventsRequest request) {
    return followEvents(request, Duration.ofSeconds(1));
  }

  /** {@link #followEvents(WatchEventsRequest)}, pausing {@code retryDelay} before a reconnect. */
  public EventFollower followEvents(WatchEventsRequest request, Duration retryDelay) {
    return new EventFollower(this, request, Objects.requireNonNull(retryDelay, "retryDelay"));
  }

  /** A blocking stub without a deadline, for streams that live as long as the caller wants. */
  ActionQueueServiceBlockingStub blockingStreamStub() {
    return blocking;
  }

  /** Appends a coordinator event. */
  public EmitEventResponse emitEvent(EmitEventRequest request) {
    return call(() -> blockingStub().emitEvent(request));
  }

  /** Counts actions per queue, action type and status. */
  public GetQueueStatsResponse getQueueStats(GetQueueStatsRequest request) {
    return call(() -> blockingStub().getQueueStats(request));
  }

  /** Creates or upgrades the schema. */
  public MigrateResponse migrate() {
    return call(() -> blockingStub().migrate(MigrateRequest.getDefaultInstance()));
  }

  /** Runs one blocking call; its failure comes out as an {@link ActionqException}. */
  private static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw ActionqException.from(e);
    }
  }

  /** Forwards everything to {@code observer}, an error as an {@link ActionqException}. */
  private static <ReqT, RespT> StreamObserver<RespT> typedErrors(StreamObserver<RespT> observer) {
    return new ClientResponseObserver<ReqT, RespT>() {
      @Override
      @SuppressWarnings("unchecked")
      public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
        if (observer instanceof ClientResponseObserver) {
          ((ClientResponseObserver<ReqT, RespT>) observer).beforeStart(requestStream);
        }
      }

      @Override
      public void onNext(RespT value) {
        observer.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        observer.onError(ActionqException.from(t));
      }

      @Override
      public void onCompleted() {
        observer.onCompleted();
      }
    };
  }

  /** Closes the channel, waiting up to five seconds for calls in flight. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Configures an {@link ActionQueueClient}. */
  public static final class Builder {
    private String address;
    private Boolean tls;
    private String authToken;
    private Path caFile;
    private Path certFile;
    private Path keyFile;
    private boolean insecureToken;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int enqueueAttempts = DEFAULT_ENQUEUE_ATTEMPTS;
    private ManagedChannel channel;
    private Function<String, String> environment = System::getenv;

    private Builder() {}

    /** Server address, {@code host:port} or a gRPC target URI; default {@code $ACTIONQ_SERVER}. */
    public Builder address(String address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * TLS verified against the system's trust roots (true) or plaintext (false); default
     * {@code $ACTIONQ_TLS}. A CA file or a client certificate turns TLS on regardless.
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Send {@code authorization: Bearer <token>} with every call. Null (the default) takes
     * {@code $ACTIONQ_TOKEN}; the empty string sends no token at all.
     */
    public Builder authToken(String authToken) {
      this.authToken = authToken;
      return this;
    }

    /**
     * Trust the CA certificate(s) in this PEM file instead of the system's roots; implies TLS.
     * Default {@code $ACTIONQ_CA_FILE}.
     */
    public Builder caFile(Path caFile) {
      this.caFile = Objects.requireNonNull(caFile, "caFile");
      return this;
    }

    /**
     * Present this PEM certificate (chain) and its PEM private key (PKCS#8, "BEGIN PRIVATE KEY")
     * to the server: mutual TLS; implies TLS. Default {@code $ACTIONQ_CLIENT_CERT} and
     * {@code $ACTIONQ_CLIENT_KEY}.
     */
    public Builder clientCertificate(Path certFile, Path keyFile) {
      this.certFile = Objects.requireNonNull(certFile, "certFile");
      this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
      return this;
    }

    /**
     * Allow sending the token over plaintext to an address that is not loopback, on a network
     * you trust; without it {@link #build()} refuses such a client.
     */
    public Builder insecureToken(boolean insecureToken) {
      this.insecureToken = insecureToken;
      return this;
    }

    /** Deadline of each unary call; Claim adds its own wait on top. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Attempts of one {@link ActionQueueClient#enqueue} call when the answer may have been lost
     * (UNAVAILABLE, DEADLINE_EXCEEDED); default
     * {@value ActionQueueClient#DEFAULT_ENQUEUE_ATTEMPTS}; 1 sends once.
     */
    public Builder enqueueAttempts(int enqueueAttempts) {
      if (enqueueAttempts < 1) {
        throw new IllegalArgumentException("enqueueAttempts must be at least 1");
      }
      this.enqueueAttempts = enqueueAttempts;
      return this;
    }

    /**
     * Talk over this channel instead of opening one (e.g. an in-process channel in tests);
     * the address and the TLS settings are then ignored (the token is still sent), and
     * {@link #close()} shuts it down.
     */
    public Builder channel(ManagedChannel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /** Where unset options are looked up (tests); default {@link System#getenv(String)}. */
    Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** The address, TLS settings and token this builder resolves to, the environment's included. */
    Security security() {
      return Security.resolve(environment, address, tls, authToken, caFile, certFile, keyFile,
          insecureToken);
    }

    /**
     * Opens the channel (lazily: the first call connects). Reads the TLS files now.
     *
     * @throws IllegalArgumentException when a CA, certificate or key file cannot be read, a
     *     client certificate comes without its key, or a token would go over plaintext to an
     *     address that is not loopback (see {@link #insecureToken})
     */
    public ActionQueueClient build() {
      return new ActionQueueClient(this);
    }
  }
}
