package dev.actionq.client;

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
import dev.actionq.v1.GetActionResponse;
import dev.actionq.v1.GetQueueStatsRequest;
import dev.actionq.v1.GetQueueStatsResponse;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.HeartbeatResponse;
import dev.actionq.v1.ListActionsRequest;
import dev.actionq.v1.ListActionsResponse;
import dev.actionq.v1.ListEventsRequest;
import dev.actionq.v1.ListEventsResponse;
import dev.actionq.v1.MigrateRequest;
import dev.actionq.v1.MigrateResponse;
import dev.actionq.v1.RejectRequest;
import dev.actionq.v1.RejectResponse;
import dev.actionq.v1.SweepRequest;
import dev.actionq.v1.SweepResponse;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

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
 * <p>Every method maps one RPC; failures surface as {@link io.grpc.StatusRuntimeException} with
 * the server's status code. Thread-safe: share one client per process.
 */
public final class ActionQueueClient implements AutoCloseable {

  /** Environment variable naming the server address. */
  public static final String SERVER_ENV = "ACTIONQ_SERVER";

  /** Address used when neither the builder nor {@value #SERVER_ENV} names one. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:50051";

  /** Deadline of a unary call unless the builder sets another one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String address;
  private final Duration timeout;
  private final ManagedChannel channel;
  private final ActionQueueServiceBlockingStub blocking;
  private final ActionQueueServiceStub async;

  private ActionQueueClient(Builder builder) {
    this.address = builder.address != null ? builder.address : defaultAddress();
    this.timeout = builder.timeout;
    ChannelCredentials credentials =
        builder.tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
    this.channel = Grpc.newChannelBuilder(address, credentials).build();
    List<ClientInterceptor> interceptors = new ArrayList<>();
    if (builder.authToken != null && !builder.authToken.isEmpty()) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + builder.authToken);
      interceptors.add(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.blocking = ActionQueueServiceGrpc.newBlockingStub(channel).withInterceptors(
        interceptors.toArray(ClientInterceptor[]::new));
    this.async = ActionQueueServiceGrpc.newStub(channel).withInterceptors(
        interceptors.toArray(ClientInterceptor[]::new));
  }

  /** Starts a builder with the defaults: {@code $ACTIONQ_SERVER}, plaintext, no token, 10 s. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address from {@code $ACTIONQ_SERVER}, else {@value #DEFAULT_ADDRESS}. */
  public static String defaultAddress() {
    String fromEnv = System.getenv(SERVER_ENV);
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_ADDRESS : fromEnv.trim();
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

  /** Stores one or more actions atomically. */
  public EnqueueResponse enqueue(EnqueueRequest request) {
    return blockingStub().enqueue(request);
  }

  /** Reads one action. */
  public GetActionResponse getAction(GetActionRequest request) {
    return blockingStub().getAction(request);
  }

  /** Lists one page of actions. */
  public ListActionsResponse listActions(ListActionsRequest request) {
    return blockingStub().listActions(request);
  }

  /**
   * Claims up to {@code max_actions} actions. The deadline is the request's {@code wait} plus the
   * default timeout, so a long poll is never cut short by the client.
   */
  public ClaimResponse claim(ClaimRequest request) {
    Duration wait = request.hasWait() ? Protos.duration(request.getWait()) : Duration.ZERO;
    return blockingStub(wait.plus(timeout)).claim(request);
  }

  /** Extends a lease; the response says whether the action was cancelled meanwhile. */
  public HeartbeatResponse heartbeat(HeartbeatRequest request) {
    return blockingStub().heartbeat(request);
  }

  /** Marks a claimed action completed. */
  public CompleteResponse complete(CompleteRequest request) {
    return blockingStub().complete(request);
  }

  /**
   * Completes up to 1,000 claimed actions in one transaction. Items the server refuses come back
   * in {@code failures} (id, status code name, message) and do not stop the others.
   */
  public CompleteManyResponse completeMany(CompleteManyRequest request) {
    return blockingStub().completeMany(request);
  }

  /** Records a failed attempt. */
  public FailResponse fail(FailRequest request) {
    return blockingStub().fail(request);
  }

  /** Marks a claimed action rejected by a validator. */
  public RejectResponse reject(RejectRequest request) {
    return blockingStub().reject(request);
  }

  /** Cancels a pending or claimed action. */
  public CancelResponse cancel(CancelRequest request) {
    return blockingStub().cancel(request);
  }

  /** Requeues every claimed action whose lease has expired. */
  public SweepResponse sweep() {
    return blockingStub().sweep(SweepRequest.getDefaultInstance());
  }

  /** Reads one page of the event log. */
  public ListEventsResponse listEvents(ListEventsRequest request) {
    return blockingStub().listEvents(request);
  }

  /**
   * Follows the event log. Messages arrive on {@code observer} from a gRPC thread; cancel the
   * stream through the {@link io.grpc.stub.ClientCallStreamObserver} that a
   * {@link io.grpc.stub.ClientResponseObserver} receives in {@code beforeStart}.
   */
  public void watchEvents(
      WatchEventsRequest request, StreamObserver<WatchEventsResponse> observer) {
    asyncStub().watchEvents(request, observer);
  }

  /** Appends a coordinator event. */
  public EmitEventResponse emitEvent(EmitEventRequest request) {
    return blockingStub().emitEvent(request);
  }

  /** Counts actions per queue, action type and status. */
  public GetQueueStatsResponse getQueueStats(GetQueueStatsRequest request) {
    return blockingStub().getQueueStats(request);
  }

  /** Creates or upgrades the schema. */
  public MigrateResponse migrate() {
    return blockingStub().migrate(MigrateRequest.getDefaultInstance());
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
    private boolean tls;
    private String authToken;
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder() {}

    /** Server address, {@code host:port} or a gRPC target URI; default {@code $ACTIONQ_SERVER}. */
    public Builder address(String address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Use TLS with the system's trust roots instead of plaintext. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Send {@code authorization: Bearer <token>} with every call; null or empty sends nothing. */
    public Builder authToken(String authToken) {
      this.authToken = authToken;
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

    /** Opens the channel (lazily: the first call connects). */
    public ActionQueueClient build() {
      return new ActionQueueClient(this);
    }
  }
}
