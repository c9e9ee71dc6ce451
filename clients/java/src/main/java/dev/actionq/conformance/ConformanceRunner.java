package dev.actionq.conformance;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.Protos;
import dev.actionq.v1.Action;
import dev.actionq.v1.ActionStatus;
import dev.actionq.v1.CancelRequest;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.EnqueuedAction;
import dev.actionq.v1.Event;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.NewAction;
import dev.actionq.v1.RejectRequest;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shared conformance scenario ({@code tests/conformance/scenario.json}) against a live
 * server and prints {@code ok <name>} or {@code FAIL <name>: <why>} per step.
 *
 * <p>Usage: {@code ConformanceRunner SCENARIO_PATH [--worker-check]}; the server is
 * {@code $ACTIONQ_SERVER}, the project {@code $ACTIONQ_CONFORMANCE_PROJECT} (default a fresh random
 * one), the producer {@code $ACTIONQ_CONFORMANCE_CREATED_BY} (default
 * {@code human:conformance-java}). With {@code --worker-check}, a passed scenario is followed by
 * the live {@link WorkerCheck} of the worker helper in the same JVM. Exits 0 iff every step (and
 * the worker check) passed.
 */
public final class ConformanceRunner {

  private static final String WORKER = "conformance-java";
  private static final String STATUS_PREFIX = "ACTION_STATUS_";

  private final ActionQueueClient client;
  private final String project;
  private final String createdBy;
  private final String actionType;
  private final Map<String, Long> ids = new HashMap<>();
  private final Map<String, String> tokens = new HashMap<>();

  private ConformanceRunner(
      ActionQueueClient client, String project, String createdBy, String actionType) {
    this.client = client;
    this.project = project;
    this.createdBy = createdBy;
    this.actionType = actionType;
  }

  /** Entry point: {@code ConformanceRunner SCENARIO_PATH [--worker-check]}. */
  public static void main(String[] args) throws IOException {
    boolean workerCheck = args.length == 2 && args[1].equals("--worker-check");
    if (args.length != 1 && !workerCheck) {
      System.err.println("usage: ConformanceRunner SCENARIO_PATH [--worker-check]");
      System.exit(2);
    }
    String project = env("ACTIONQ_CONFORMANCE_PROJECT",
        "conformance-java-" + UUID.randomUUID().toString().substring(0, 8));
    String createdBy = env("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance-java");
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(
        Files.readString(Path.of(args[0]), StandardCharsets.UTF_8), parsed);
    Struct scenario = substitute(Value.newBuilder().setStructValue(parsed).build(),
        project, createdBy).getStructValue();

    int failures;
    try (ActionQueueClient client = ActionQueueClient.builder().build()) {
      ConformanceRunner runner = new ConformanceRunner(
          client, project, createdBy, str(scenario, "action_type", ""));
      failures = runner.runAll(scenario.getFieldsOrThrow("steps").getListValue());
      if (failures == 0 && workerCheck && !WorkerCheck.run(client, project, createdBy)) {
        failures = 1;
      }
    }
    System.out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }

  private int runAll(ListValue steps) {
    int failures = 0;
    for (Value v : steps.getValuesList()) {
      Struct step = v.getStructValue();
      String name = str(step, "name", str(step, "op", "?"));
      String why;
      try {
        why = runStep(step);
      } catch (RuntimeException e) {
        why = "unexpected " + e;
      }
      if (why == null) {
        System.out.println("ok " + name);
      } else {
        failures++;
        System.out.println("FAIL " + name + ": " + why);
      }
      System.out.flush();
    }
    return failures;
  }

  /** Runs one step; returns null when it passed, else why it failed. */
  private String runStep(Struct step) {
    String op = str(step, "op", "");
    switch (op) {
      case "enqueue":
        return enqueue(step);
      case "claim":
        return claim(step);
      case "watch":
        return watch(step);
      case "heartbeat":
      case "complete":
      case "fail":
      case "reject":
      case "cancel":
      case "get":
        return unary(op, step);
      default:
        return "unknown op " + quote(op);
    }
  }

  private String enqueue(Struct step) {
    List<String> refs = new ArrayList<>();
    EnqueueRequest.Builder request = EnqueueRequest.newBuilder();
    for (Value v : list(step, "actions")) {
      Struct a = v.getStructValue();
      refs.add(str(a, "ref", ""));
      NewAction.Builder action = NewAction.newBuilder()
          .setProject(project)
          .setCreatedBy(createdBy)
          .setActionType(str(a, "action_type", actionType))
          .setPriority((int) num(a, "priority", 0))
          .setTargetRef(str(a, "target_ref", ""));
      for (Value ref : list(a, "source_refs")) {
        action.addSourceRefs(ref.getStringValue());
      }
      if (a.containsFields("payload")) {
        action.setPayload(a.getFieldsOrThrow("payload").getStructValue());
      }
      request.addActions(action);
    }
    Outcome<EnqueueResponse> out = call(() -> client.enqueue(request.build()));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    List<EnqueuedAction> stored = out.response.getActionsList();
    if (stored.size() != refs.size()) {
      return "enqueued " + stored.size() + " actions, sent " + refs.size();
    }
    for (int i = 0; i < refs.size(); i++) {
      Action action = stored.get(i).getAction();
      ids.put(refs.get(i), action.getId());
      why = checkStatus(step, action);
      if (why != null) {
        return refs.get(i) + ": " + why;
      }
    }
    return null;
  }

  private String claim(Struct step) {
    ClaimRequest request = ClaimRequest.newBuilder()
        .setWorker(WORKER)
        .setProject(project)
        .addActionTypes(actionType)
        .setMaxActions((int) num(step, "max_actions", 1))
        .setWait(Protos.duration(Duration.ofMillis((long) num(step, "wait_ms", 0))))
        .setLease(Protos.duration(Duration.ofMillis((long) num(step, "lease_ms", 30000))))
        .build();
    Outcome<ClaimResponse> out = call(() -> client.claim(request));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    List<String> got = new ArrayList<>();
    for (ClaimedAction c : out.response.getActionsList()) {
      String ref = refOf(c.getAction().getId());
      got.add(ref);
      tokens.put(ref, c.getLeaseToken());
    }
    List<String> want = new ArrayList<>();
    for (Value v : list(step, "expect_refs")) {
      want.add(v.getStringValue());
    }
    return got.equals(want) ? null : "claimed " + got + ", want " + want;
  }

  private String unary(String op, Struct step) {
    long id;
    String ref = str(step, "ref", null);
    if (ref != null) {
      Long known = ids.get(ref);
      if (known == null) {
        return "ref " + quote(ref) + " was never enqueued";
      }
      id = known;
    } else if (step.containsFields("id")) {
      id = (long) num(step, "id", 0);
    } else {
      return "step has neither ref nor id";
    }
    String token;
    switch (str(step, "lease", "")) {
      case "held":
        token = tokens.get(ref);
        if (token == null) {
          return "no lease token held for " + quote(ref);
        }
        break;
      case "random":
        token = UUID.randomUUID().toString();
        break;
      default:
        token = "";
    }
    Outcome<Action> out;
    switch (op) {
      case "heartbeat": {
        HeartbeatRequest request = HeartbeatRequest.newBuilder()
            .setId(id)
            .setLeaseToken(token)
            .setLease(Protos.duration(Duration.ofMillis((long) num(step, "lease_ms", 30000))))
            .build();
        Outcome<?> hb = call(() -> client.heartbeat(request));
        return checkCode(step, hb);
      }
      case "complete": {
        CompleteRequest request = CompleteRequest.newBuilder()
            .setId(id).setLeaseToken(token).setResultRef(str(step, "result_ref", "")).build();
        out = call(() -> client.complete(request).getAction());
        break;
      }
      case "fail": {
        FailRequest request = FailRequest.newBuilder()
            .setId(id).setLeaseToken(token).setReason(str(step, "reason", "")).build();
        out = call(() -> client.fail(request).getAction());
        break;
      }
      case "reject": {
        RejectRequest request = RejectRequest.newBuilder()
            .setId(id).setLeaseToken(token).setReason(str(step, "reason", ""))
            .setValidator(str(step, "validator", "")).build();
        out = call(() -> client.reject(request).getAction());
        break;
      }
      case "cancel": {
        CancelRequest request = CancelRequest.newBuilder()
            .setId(id).setReason(str(step, "reason", "")).build();
        out = call(() -> client.cancel(request).getAction());
        break;
      }
      case "get":
        out = call(() -> client.getAction(GetActionRequest.newBuilder().setId(id).build())
            .getAction());
        break;
      default:
        return "unknown op " + quote(op);
    }
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    return checkStatus(step, out.response);
  }

  private String watch(Struct step) {
    List<String> refs = new ArrayList<>();
    WatchEventsRequest.Builder request = WatchEventsRequest.newBuilder()
        .setAfterCursor((long) num(step, "after_cursor", 0));
    for (Value v : list(step, "refs")) {
      Long id = ids.get(v.getStringValue());
      if (id == null) {
        return "ref " + quote(v.getStringValue()) + " was never enqueued";
      }
      refs.add(v.getStringValue());
      request.addActionIds(id);
    }
    List<String> want = new ArrayList<>();
    for (Value pair : list(step, "expect_events")) {
      List<Value> p = pair.getListValue().getValuesList();
      want.add(p.get(0).getStringValue() + " " + p.get(1).getStringValue());
    }
    Duration timeout = Duration.ofMillis((long) num(step, "timeout_ms", 10000));

    StreamCollector collector = new StreamCollector();
    client.watchEvents(request.build(), collector);
    List<String> got = new ArrayList<>();
    long lastCursor = Long.MIN_VALUE;
    long lastEventId = Long.MIN_VALUE;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (got.size() < want.size()) {
        long left = deadline - System.nanoTime();
        Object item = left > 0 ? collector.queue.poll(left, TimeUnit.NANOSECONDS) : null;
        if (item == null) {
          return "timed out after " + timeout.toMillis() + " ms with " + got.size() + " of "
              + want.size() + " events: " + got;
        }
        if (item instanceof Throwable) {
          return "stream ended with " + Status.fromThrowable((Throwable) item) + " after "
              + got.size() + " events: " + got;
        }
        if (item == StreamCollector.END) {
          return "stream ended after " + got.size() + " events: " + got;
        }
        WatchEventsResponse message = (WatchEventsResponse) item;
        if (message.getCursor() <= lastCursor) {
          return "cursor " + message.getCursor() + " after cursor " + lastCursor;
        }
        lastCursor = message.getCursor();
        for (Event e : message.getEventsList()) {
          if (e.getId() <= lastEventId) {
            return "event id " + e.getId() + " after event id " + lastEventId;
          }
          lastEventId = e.getId();
          got.add(refOf(e.getActionId()) + " " + e.getEventType());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      collector.cancel();
    }
    return got.equals(want) ? null : "events " + got + ", want " + want;
  }

  private String checkCode(Struct step, Outcome<?> out) {
    String want = str(step, "expect_code", "OK");
    String got = out.code.name();
    if (!got.equals(want)) {
      return "code " + got + (out.message.isEmpty() ? "" : " (" + out.message + ")")
          + ", want " + want;
    }
    return null;
  }

  private static String checkStatus(Struct step, Action action) {
    String want = str(step, "expect_status", null);
    if (want == null) {
      return null;
    }
    String got = statusName(action.getStatus());
    return got.equals(want) ? null : "status " + got + ", want " + want;
  }

  /** "completed" for ACTION_STATUS_COMPLETED. */
  static String statusName(ActionStatus status) {
    String name = status.name();
    if (name.startsWith(STATUS_PREFIX)) {
      name = name.substring(STATUS_PREFIX.length());
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private String refOf(long id) {
    for (Map.Entry<String, Long> e : ids.entrySet()) {
      if (e.getValue() == id) {
        return e.getKey();
      }
    }
    return "#" + id;
  }

  /** The status code and, on OK, the response of one call. */
  private static final class Outcome<T> {
    final Status.Code code;
    final String message;
    final T response;

    Outcome(Status.Code code, String message, T response) {
      this.code = code;
      this.message = message;
      this.response = response;
    }
  }

  private interface Call<T> {
    T run();
  }

  private static <T> Outcome<T> call(Call<T> call) {
    try {
      return new Outcome<>(Status.Code.OK, "", call.run());
    } catch (StatusRuntimeException e) {
      String description = e.getStatus().getDescription();
      return new Outcome<>(e.getStatus().getCode(), description == null ? "" : description, null);
    }
  }

  /** Queues stream messages, the end marker or the error for the reading thread. */
  private static final class StreamCollector
      implements ClientResponseObserver<WatchEventsRequest, WatchEventsResponse> {
    static final Object END = new Object();
    final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<WatchEventsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchEventsRequest> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(WatchEventsResponse value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(t);
    }

    @Override
    public void onCompleted() {
      queue.add(END);
    }

    void cancel() {
      ClientCallStreamObserver<WatchEventsRequest> c = call;
      if (c != null) {
        c.cancel("conformance step done", null);
      }
    }
  }

  /** Replaces $PROJECT and $CREATED_BY in every string of the scenario. */
  private static Value substitute(Value v, String project, String createdBy) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        return Value.newBuilder().setStringValue(
            v.getStringValue().replace("$PROJECT", project).replace("$CREATED_BY", createdBy))
            .build();
      case STRUCT_VALUE: {
        Struct.Builder s = Struct.newBuilder();
        v.getStructValue().getFieldsMap().forEach(
            (k, field) -> s.putFields(k, substitute(field, project, createdBy)));
        return Value.newBuilder().setStructValue(s).build();
      }
      case LIST_VALUE: {
        ListValue.Builder l = ListValue.newBuilder();
        for (Value item : v.getListValue().getValuesList()) {
          l.addValues(substitute(item, project, createdBy));
        }
        return Value.newBuilder().setListValue(l).build();
      }
      default:
        return v;
    }
  }

  private static String str(Struct s, String key, String fallback) {
    Value v = s.getFieldsMap().get(key);
    return v == null || v.getKindCase() != Value.KindCase.STRING_VALUE ? fallback
        : v.getStringValue();
  }

  private static double num(Struct s, String key, double fallback) {
    Value v = s.getFieldsMap().get(key);
    return v == null || v.getKindCase() != Value.KindCase.NUMBER_VALUE ? fallback
        : v.getNumberValue();
  }

  private static List<Value> list(Struct s, String key) {
    Value v = s.getFieldsMap().get(key);
    return v == null ? List.of() : v.getListValue().getValuesList();
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
