package dev.actionq.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.ActionqException;
import dev.actionq.client.CheckpointRecord;
import dev.actionq.client.Json;
import dev.actionq.client.Protos;
import dev.actionq.client.WakeUp;
import dev.actionq.v1.Action;
import dev.actionq.v1.ActionStatus;
import dev.actionq.v1.Backoff;
import dev.actionq.v1.BackoffStrategy;
import dev.actionq.v1.CancelRequest;
import dev.actionq.v1.ClaimRequest;
import dev.actionq.v1.ClaimResponse;
import dev.actionq.v1.ClaimedAction;
import dev.actionq.v1.CompleteRequest;
import dev.actionq.v1.EmitEventRequest;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.EnqueuedAction;
import dev.actionq.v1.Event;
import dev.actionq.v1.FailRequest;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.HeartbeatRequest;
import dev.actionq.v1.ListActionsRequest;
import dev.actionq.v1.ListActionsResponse;
import dev.actionq.v1.NewAction;
import dev.actionq.v1.RejectRequest;
import dev.actionq.v1.RetryResponse;
import dev.actionq.v1.SignalMode;
import dev.actionq.v1.SignalResponse;
import dev.actionq.v1.SuspendResponse;
import dev.actionq.v1.WatchEventsRequest;
import dev.actionq.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shared conformance scenario ({@code tests/conformance/scenario.json}) against a live
 * server and prints {@code ok <name>} or {@code FAIL <name>: <why>} per step.
 *
 * <p>The scenario is read with {@link Json} (integers keep every digit), and the payloads and
 * results it expects are compared with what the server returns as decoded values, exactly;
 * expected errors are checked by status code and ErrorInfo reason, never by message.
 *
 * <p>Usage: {@code ConformanceRunner SCENARIO_PATH [--worker-check]}; the server is
 * {@code $ACTIONQ_SERVER} (with the client's TLS and token settings from the environment:
 * {@code $ACTIONQ_TOKEN}, {@code $ACTIONQ_CA_FILE}, ...), the project {@code $ACTIONQ_CONFORMANCE_PROJECT} (default a fresh random
 * one), the producer {@code $ACTIONQ_CONFORMANCE_CREATED_BY} (default
 * {@code human:conformance-java}). With {@code --worker-check}, a passed scenario is followed by
 * the live {@link WorkerCheck} of the worker helper in the same JVM. The {@code denied} steps
 * read the token named by {@code token_env} ({@code $ACTIONQ_CONFORMANCE_WORKER_TOKEN}). Exits 0 iff every step (and
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
    JsonNode scenario = substitute(
        Json.parse(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8)),
        project, createdBy);

    int failures;
    try (ActionQueueClient client = ActionQueueClient.builder().build()) {
      ConformanceRunner runner = new ConformanceRunner(
          client, project, createdBy, str(scenario, "action_type", ""));
      failures = runner.runAll(scenario.path("steps"));
      if (failures == 0 && workerCheck && !WorkerCheck.run(client, project, createdBy)) {
        failures = 1;
      }
    }
    System.out.flush();
    System.exit(failures == 0 ? 0 : 1);
  }

  private int runAll(JsonNode steps) {
    int failures = 0;
    for (JsonNode step : steps) {
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
  private String runStep(JsonNode step) {
    String op = str(step, "op", "");
    switch (op) {
      case "enqueue":
        return enqueue(step);
      case "enqueue_retry":
        return enqueueRetry(step);
      case "claim":
        return claim(step);
      case "watch":
        return watch(step);
      case "retry":
        return retry(step);
      case "wait":
        return waitFor(step);
      case "heartbeat":
      case "complete":
      case "fail":
      case "reject":
      case "cancel":
      case "get":
      case "save_checkpoint":
      case "get_checkpoints":
      case "suspend":
      case "await_status":
        return unary(op, step);
      case "signal":
        return signal(step);
      case "denied":
        return denied(step);
      default:
        return "unknown op " + quote(op);
    }
  }

  /**
   * A second client with the same server and TLS settings (the environment's) but the token of
   * the environment variable {@code token_env} ("" sends none), whose {@code call} must fail with
   * {@code expect_reason}.
   */
  private String denied(JsonNode step) {
    String tokenEnv = str(step, "token_env", "");
    String token = "";
    if (!tokenEnv.isEmpty()) {
      token = env(tokenEnv, "");
      if (token.isEmpty()) {
        return tokenEnv + " is not set";
      }
    }
    String call = str(step, "call", "");
    if (!call.equals("emit_event")) {
      return "unknown call " + quote(call);
    }
    Outcome<?> out;
    try (ActionQueueClient other = ActionQueueClient.builder().authToken(token).build()) {
      out = call(() -> other.emitEvent(EmitEventRequest.newBuilder()
          .setEventType("coordinator_cycle").setActor("conformance").setPayloadJson("{}")
          .build()));
    }
    String want = str(step, "expect_reason", "");
    if (out.code == Status.Code.OK) {
      return "the call succeeded, want " + want;
    }
    return out.reason.equals(want) ? null : "got " + out.describe() + ", want " + want;
  }

  /** The Enqueue request of a step's "actions", and the ref of each action in order. */
  private EnqueueRequest.Builder enqueueRequest(JsonNode step, List<String> refs) {
    EnqueueRequest.Builder request = EnqueueRequest.newBuilder();
    for (JsonNode a : step.path("actions")) {
      refs.add(str(a, "ref", ""));
      NewAction.Builder action = NewAction.newBuilder()
          .setProject(project)
          .setCreatedBy(createdBy)
          .setActionType(str(a, "action_type", actionType))
          .setPriority((int) num(a, "priority", 0))
          .setTargetRef(str(a, "target_ref", ""));
      for (JsonNode ref : a.path("source_refs")) {
        action.addSourceRefs(ref.asText());
      }
      if (a.has("payload")) {
        action.setPayloadJson(Json.write(a.get("payload")));
      } else if (a.has("payload_json")) {
        action.setPayloadJson(a.get("payload_json").asText());
      }
      action.setMaxAttempts((int) num(a, "max_attempts", 0));
      if (a.has("backoff")) {
        JsonNode b = a.get("backoff");
        action.setBackoff(Backoff.newBuilder()
            .setStrategy(str(b, "strategy", "").equals("fixed")
                ? BackoffStrategy.BACKOFF_STRATEGY_FIXED
                : BackoffStrategy.BACKOFF_STRATEGY_EXPONENTIAL)
            .setBase(Protos.duration(Duration.ofMillis(num(b, "base_ms", 0))))
            .setMax(Protos.duration(Duration.ofMillis(num(b, "max_ms", 0))))
            .setJitter(b.path("jitter").asDouble(0)));
      }
      if (a.has("delay_ms")) {
        action.setDelay(Protos.duration(Duration.ofMillis(num(a, "delay_ms", 0))));
      }
      request.addActions(action);
    }
    return request;
  }

  private String enqueue(JsonNode step) {
    List<String> refs = new ArrayList<>();
    EnqueueRequest request = enqueueRequest(step, refs).build();
    Outcome<EnqueueResponse> out = call(() -> client.enqueue(request));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    return bindEnqueued(step, refs, out.response);
  }

  /** Binds each ref to its stored action and checks each against the step's expectations. */
  private String bindEnqueued(JsonNode step, List<String> refs, EnqueueResponse response) {
    List<EnqueuedAction> stored = response.getActionsList();
    if (stored.size() != refs.size()) {
      return "enqueued " + stored.size() + " actions, sent " + refs.size();
    }
    for (int i = 0; i < refs.size(); i++) {
      Action action = stored.get(i).getAction();
      ids.put(refs.get(i), action.getId());
      String why = checkAction(step, action);
      if (why != null) {
        return refs.get(i) + ": " + why;
      }
    }
    return null;
  }

  /**
   * Sends one Enqueue twice under one request_id: the second answer must replay the first
   * (replayed, the same ids) and the project must hold each action once.
   */
  private String enqueueRetry(JsonNode step) {
    List<String> refs = new ArrayList<>();
    EnqueueRequest request = enqueueRequest(step, refs)
        .setRequestId("conformance-java-" + UUID.randomUUID())
        .build();
    Outcome<EnqueueResponse> first = call(() -> client.enqueue(request));
    String why = checkCode(step, first);
    if (why != null || first.response == null) {
      return why;
    }
    if (first.response.getReplayed()) {
      return "the first call with a fresh request_id came back replayed";
    }
    Outcome<EnqueueResponse> second = call(() -> client.enqueue(request));
    why = checkCode(step, second);
    if (why != null || second.response == null) {
      return why == null ? null : "retry: " + why;
    }
    if (!second.response.getReplayed()) {
      return "the retried call was not replayed";
    }
    List<Long> firstIds = idsOf(first.response);
    List<Long> secondIds = idsOf(second.response);
    if (!firstIds.equals(secondIds)) {
      return "the retried call returned ids " + secondIds + ", the first " + firstIds;
    }
    why = bindEnqueued(step, refs, second.response);
    if (why != null) {
      return why;
    }
    List<Action> listed = listProject();
    for (int i = 0; i < request.getActionsCount(); i++) {
      NewAction sent = request.getActions(i);
      ObjectNode payload = Json.parseObject(sent.getPayloadJson());
      int copies = 0;
      for (Action a : listed) {
        if (a.getPriority() == sent.getPriority() && a.getTargetRef().equals(sent.getTargetRef())
            && a.getActionType().equals(sent.getActionType()) && Json.payload(a).equals(payload)) {
          copies++;
        }
      }
      if (copies != 1) {
        return refs.get(i) + " is stored " + copies + " times, want once";
      }
    }
    return null;
  }

  private static List<Long> idsOf(EnqueueResponse response) {
    List<Long> out = new ArrayList<>();
    for (EnqueuedAction e : response.getActionsList()) {
      out.add(e.getAction().getId());
    }
    return out;
  }

  /** Every action of the scenario's project and action type. */
  private List<Action> listProject() {
    List<Action> out = new ArrayList<>();
    ListActionsRequest.Builder list = ListActionsRequest.newBuilder()
        .setProject(project).setActionType(actionType).setPageSize(1000);
    while (true) {
      ListActionsResponse page = client.listActions(list.build());
      out.addAll(page.getActionsList());
      if (page.getNextPageToken().isEmpty()) {
        return out;
      }
      list.setPageToken(page.getNextPageToken());
    }
  }

  private String claim(JsonNode step) {
    ClaimRequest request = ClaimRequest.newBuilder()
        .setWorker(WORKER)
        .setProject(project)
        .addActionTypes(str(step, "action_type", actionType))
        .setMaxActions((int) num(step, "max_actions", 1))
        .setWait(Protos.duration(Duration.ofMillis(num(step, "wait_ms", 0))))
        .setLease(Protos.duration(Duration.ofMillis(num(step, "lease_ms", 30000))))
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
    for (JsonNode v : step.path("expect_refs")) {
      want.add(v.asText());
    }
    return got.equals(want) ? null : "claimed " + got + ", want " + want;
  }

  private String unary(String op, JsonNode step) {
    long id;
    String ref = str(step, "ref", null);
    if (ref != null) {
      Long known = ids.get(ref);
      if (known == null) {
        return "ref " + quote(ref) + " was never enqueued";
      }
      id = known;
    } else if (step.has("id")) {
      id = num(step, "id", 0);
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
        HeartbeatRequest.Builder request = HeartbeatRequest.newBuilder()
            .setId(id)
            .setLeaseToken(token)
            .setLease(Protos.duration(Duration.ofMillis(num(step, "lease_ms", 30000))));
        if (step.has("progress")) {
          request.setProgressJson(Json.writeObject(step.get("progress")));
        }
        Outcome<?> hb = call(() -> client.heartbeat(request.build()));
        return checkCode(step, hb);
      }
      case "complete": {
        CompleteRequest.Builder request = CompleteRequest.newBuilder()
            .setId(id).setLeaseToken(token).setResultRef(str(step, "result_ref", ""));
        if (step.has("result")) {
          request.setResultJson(Json.write(step.get("result")));
        }
        out = call(() -> client.complete(request.build()).getAction());
        break;
      }
      case "fail": {
        FailRequest.Builder request = FailRequest.newBuilder()
            .setId(id).setLeaseToken(token).setReason(str(step, "reason", ""))
            .setNoRetry(step.path("no_retry").asBoolean(false));
        if (step.has("retry_delay_ms")) {
          request.setRetryDelay(
              Protos.duration(Duration.ofMillis(num(step, "retry_delay_ms", 0))));
        }
        out = call(() -> client.fail(request.build()).getAction());
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
      case "save_checkpoint": {
        JsonNode state = step.has("state") ? step.get("state") : Json.object();
        String name = str(step, "step", "");
        Outcome<CheckpointRecord> saved =
            call(() -> client.saveCheckpoint(id, token, name, state));
        String why = checkCode(step, saved);
        if (why != null || saved.response == null) {
          return why;
        }
        CheckpointRecord got = saved.response;
        return got.step().equals(name) && got.actionId() == id && got.state().equals(state)
            ? null
            : "saved " + got + ", want step " + name + " with " + Json.write(state);
      }
      case "get_checkpoints": {
        Outcome<List<CheckpointRecord>> listed = call(() -> client.checkpoints(id));
        String why = checkCode(step, listed);
        if (why != null || listed.response == null) {
          return why;
        }
        return checkCheckpoints(step, listed.response);
      }
      case "suspend": {
        String name = str(step, "step", "");
        Duration timeout = step.has("timeout_ms")
            ? Duration.ofMillis(num(step, "timeout_ms", 0)) : null;
        Outcome<SuspendResponse> suspended = call(() ->
            client.suspend(id, token, name, str(step, "signal", ""), timeout));
        String why = checkCode(step, suspended);
        if (why != null || suspended.response == null) {
          return why;
        }
        return checkSuspend(step, suspended.response);
      }
      case "await_status": {
        String want = str(step, "expect_status", "");
        long deadline = System.nanoTime() + Duration.ofMillis(num(step, "timeout_ms", 10000))
            .toNanos();
        while (true) {
          String got = statusName(client.getAction(GetActionRequest.newBuilder().setId(id)
              .build()).getAction().getStatus());
          if (got.equals(want)) {
            return null;
          }
          if (System.nanoTime() > deadline) {
            return "still " + got + " after " + num(step, "timeout_ms", 10000) + " ms, want "
                + want;
          }
          try {
            Thread.sleep(50); // a poll interval, not a synchronisation
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
          }
        }
      }
      default:
        return "unknown op " + quote(op);
    }
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    return checkAction(step, out.response);
  }

  /** The ids of a step's "refs", or null when one was never enqueued. */
  private List<Long> idsOfRefs(JsonNode step) {
    List<Long> out = new ArrayList<>();
    for (JsonNode v : step.path("refs")) {
      Long id = ids.get(v.asText());
      if (id == null) {
        return null;
      }
      out.add(id);
    }
    return out;
  }

  /** Retries the dead actions of "refs" by id; on OK each must now have expect_status. */
  private String retry(JsonNode step) {
    List<Long> wanted = idsOfRefs(step);
    if (wanted == null) {
      return "a ref was never enqueued";
    }
    Outcome<RetryResponse> out = call(() -> client.retry(wanted));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    List<Long> sorted = new ArrayList<>(wanted);
    sorted.sort(null);
    if (!out.response.getRetriedIdsList().equals(sorted)) {
      return "retried ids " + out.response.getRetriedIdsList() + ", want " + sorted;
    }
    for (long id : wanted) {
      why = checkAction(step,
          client.getAction(GetActionRequest.newBuilder().setId(id).build()).getAction());
      if (why != null) {
        return refOf(id) + ": " + why;
      }
    }
    return null;
  }

  /** Waits for "refs"; each returned action's status must match expect_statuses, in order. */
  private String waitFor(JsonNode step) {
    List<Long> wanted = idsOfRefs(step);
    if (wanted == null) {
      return "a ref was never enqueued";
    }
    Duration timeout = Duration.ofMillis(num(step, "timeout_ms", 10000));
    Outcome<List<Action>> out = call(() -> client.waitFor(wanted, timeout));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    List<String> got = new ArrayList<>();
    for (Action a : out.response) {
      got.add(refOf(a.getId()) + ":" + statusName(a.getStatus()));
    }
    List<String> want = new ArrayList<>();
    int i = 0;
    for (JsonNode v : step.path("refs")) {
      want.add(v.asText() + ":" + step.path("expect_statuses").path(i++).asText("?"));
    }
    return got.equals(want) ? null : "actions " + got + ", want " + want;
  }

  private String watch(JsonNode step) {
    WatchEventsRequest.Builder request = WatchEventsRequest.newBuilder()
        .setAfterCursor(str(step, "after_cursor", ""));
    for (JsonNode v : step.path("refs")) {
      Long id = ids.get(v.asText());
      if (id == null) {
        return "ref " + quote(v.asText()) + " was never enqueued";
      }
      request.addActionIds(id);
    }
    List<String> want = new ArrayList<>();
    for (JsonNode pair : step.path("expect_events")) {
      want.add(pair.path(0).asText() + " " + pair.path(1).asText());
    }
    Duration timeout = Duration.ofMillis(num(step, "timeout_ms", 10000));

    StreamCollector collector = new StreamCollector();
    client.watchEvents(request.build(), collector);
    List<String> got = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
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
          return "stream ended with " + describe(ActionqException.from((Throwable) item))
              + " after " + got.size() + " events: " + got;
        }
        if (item == StreamCollector.END) {
          return "stream ended after " + got.size() + " events: " + got;
        }
        WatchEventsResponse message = (WatchEventsResponse) item;
        if (message.getCursor().isEmpty()) {
          return "a message without a cursor after " + got.size() + " events";
        }
        for (Event e : message.getEventsList()) {
          // Cursors are opaque: only their identity says anything. One per event, never twice.
          if (e.getCursor().isEmpty() || !cursors.add(e.getCursor())) {
            return "event " + e.getId() + " has " + (e.getCursor().isEmpty() ? "no cursor"
                : "the cursor of an earlier event, " + quote(e.getCursor()));
          }
          Json.payload(e); // every event payload must decode
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

  /** Checks a Suspend response against expect_suspended, expect_status and expect_wake. */
  private static String checkSuspend(JsonNode step, SuspendResponse response) {
    if (step.has("expect_suspended")
        && response.getSuspended() != step.get("expect_suspended").asBoolean()) {
      return "suspended " + response.getSuspended() + ", want " + step.get("expect_suspended");
    }
    String why = checkAction(step, response.getAction());
    if (why != null || !step.has("expect_wake")) {
      return why;
    }
    if (!response.hasWake()) {
      return "no wake-up, want " + Json.write(step.get("expect_wake"));
    }
    WakeUp wake = WakeUp.of(response.getWake());
    if (!wake.step().equals(str(step, "step", ""))) {
      return "wake-up of step " + quote(wake.step()) + ", want " + quote(str(step, "step", ""));
    }
    ObjectNode got = Json.object();
    got.put("signal", wake.signal());
    got.set("payload", wake.payload());
    got.put("timed_out", wake.timedOut());
    return checkFields("wake-up", got, step.get("expect_wake"));
  }

  /** Sends the step's signal; checks the refs it woke (in any order) and whether it is kept. */
  private String signal(JsonNode step) {
    SignalMode mode = switch (str(step, "mode", "broadcast")) {
      case "one" -> SignalMode.SIGNAL_MODE_ONE;
      default -> SignalMode.SIGNAL_MODE_BROADCAST;
    };
    Duration keep = step.has("keep_ms") ? Duration.ofMillis(num(step, "keep_ms", 0)) : null;
    JsonNode payload = step.has("payload") ? step.get("payload") : Json.object();
    Outcome<SignalResponse> out =
        call(() -> client.signal(str(step, "signal", ""), payload, mode, keep));
    String why = checkCode(step, out);
    if (why != null || out.response == null) {
      return why;
    }
    if (step.has("expect_woken")) {
      List<String> got = new ArrayList<>();
      out.response.getWokenList().forEach(id -> got.add(refOf(id)));
      List<String> want = new ArrayList<>();
      step.get("expect_woken").forEach(n -> want.add(n.asText()));
      Collections.sort(got);
      Collections.sort(want);
      if (!got.equals(want)) {
        return "woke " + got + ", want " + want;
      }
    }
    if (step.has("expect_kept")
        && out.response.hasKeptUntil() != step.get("expect_kept").asBoolean()) {
      return "kept_until " + (out.response.hasKeptUntil() ? "set" : "unset") + ", want kept "
          + step.get("expect_kept");
    }
    return null;
  }

  /** Each field of {@code want} must equal {@code got}'s; other fields are not compared. */
  private static String checkFields(String what, JsonNode got, JsonNode want) {
    for (Map.Entry<String, JsonNode> field : want.properties()) {
      if (!got.has(field.getKey())) {
        return what + " " + Json.write(got) + " has no " + field.getKey();
      }
      if (!got.get(field.getKey()).equals(field.getValue())) {
        return what + ": " + field.getKey() + " is " + Json.write(got.get(field.getKey()))
            + ", want " + Json.write(field.getValue());
      }
    }
    return null;
  }

  /** Checks checkpoints against the step's expect_steps, expect_states and expect_attempts. */
  private static String checkCheckpoints(JsonNode step, List<CheckpointRecord> got) {
    List<String> steps = new ArrayList<>();
    List<Long> attempts = new ArrayList<>();
    ArrayNode states = Json.mapper().createArrayNode();
    for (CheckpointRecord c : got) {
      steps.add(c.step());
      attempts.add((long) c.attempt());
      states.add(c.state());
    }
    if (step.has("expect_steps")) {
      List<String> want = new ArrayList<>();
      step.get("expect_steps").forEach(n -> want.add(n.asText()));
      if (!steps.equals(want)) {
        return "checkpoint steps " + steps + ", want " + want;
      }
    }
    if (step.has("expect_attempts")) {
      List<Long> want = new ArrayList<>();
      step.get("expect_attempts").forEach(n -> want.add(n.asLong()));
      if (!attempts.equals(want)) {
        return "checkpoint attempts " + attempts + ", want " + want;
      }
    }
    if (step.has("expect_state_fields")) {
      JsonNode want = step.get("expect_state_fields");
      if (want.size() != got.size()) {
        return got.size() + " checkpoints, want " + want.size();
      }
      for (int i = 0; i < got.size(); i++) {
        String why = checkFields("state of " + got.get(i).step(), got.get(i).state(), want.get(i));
        if (why != null) {
          return why;
        }
      }
    }
    if (step.has("expect_states") && !states.equals(step.get("expect_states"))) {
      return "checkpoint states " + Json.write(states) + ", want "
          + Json.write(step.get("expect_states"));
    }
    return null;
  }

  /** Checks the status code and, when the step names one, the ErrorInfo reason. */
  private static String checkCode(JsonNode step, Outcome<?> out) {
    String want = str(step, "expect_code", "OK");
    String wantReason = str(step, "expect_reason", "");
    if (!out.code.name().equals(want) || !out.reason.equals(wantReason)) {
      return "got " + out.describe() + ", want " + want
          + (wantReason.isEmpty() ? "" : "/" + wantReason);
    }
    return null;
  }

  /**
   * Checks an action against the step's expect_status, expect_attempt, expect_payload,
   * expect_result and expect_progress.
   */
  private static String checkAction(JsonNode step, Action action) {
    String want = str(step, "expect_status", null);
    if (want != null) {
      String got = statusName(action.getStatus());
      if (!got.equals(want)) {
        return "status " + got + ", want " + want;
      }
    }
    if (step.has("expect_attempt") && action.getAttempt() != num(step, "expect_attempt", -1)) {
      return "attempt " + action.getAttempt() + ", want " + step.get("expect_attempt");
    }
    if (step.has("expect_progress")) {
      String text = action.getProgressJson();
      JsonNode got = text.isEmpty() ? null : Json.parseObject(text);
      if (got == null || !got.equals(step.get("expect_progress"))) {
        return "progress " + (got == null ? "none" : Json.write(got)) + ", want "
            + Json.write(step.get("expect_progress"));
      }
    }
    if (step.has("expect_payload")) {
      ObjectNode got = Json.payload(action);
      if (!got.equals(step.get("expect_payload"))) {
        return "payload " + Json.write(got) + ", want " + Json.write(step.get("expect_payload"));
      }
    }
    if (step.has("expect_result")) {
      JsonNode got = Json.result(action).orElse(null);
      if (got == null || !got.equals(step.get("expect_result"))) {
        return "result " + (got == null ? "none" : Json.write(got)) + ", want "
            + Json.write(step.get("expect_result"));
      }
    }
    return null;
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

  private static String describe(ActionqException e) {
    String code = e.reasonName().isEmpty() ? e.code().name()
        : e.code() + "/" + e.reasonName();
    return e.message().isEmpty() ? code : code + " (" + e.message() + ")";
  }

  /** The status code, ErrorInfo reason and message of one call, and its response on OK. */
  private static final class Outcome<T> {
    final Status.Code code;
    final String reason;
    final String message;
    final T response;

    Outcome(Status.Code code, String reason, String message, T response) {
      this.code = code;
      this.reason = reason;
      this.message = message;
      this.response = response;
    }

    String describe() {
      String what = reason.isEmpty() ? code.name() : code + "/" + reason;
      return message.isEmpty() ? what : what + " (" + message + ")";
    }
  }

  private interface Call<T> {
    T run();
  }

  private static <T> Outcome<T> call(Call<T> call) {
    try {
      return new Outcome<>(Status.Code.OK, "", "", call.run());
    } catch (ActionqException e) {
      return new Outcome<>(e.code(), e.reasonName(), e.message(), null);
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
  private static JsonNode substitute(JsonNode v, String project, String createdBy) {
    if (v.isTextual()) {
      return TextNode.valueOf(
          v.asText().replace("$PROJECT", project).replace("$CREATED_BY", createdBy));
    }
    if (v.isObject()) {
      ObjectNode out = Json.object();
      for (Map.Entry<String, JsonNode> field : v.properties()) {
        out.set(field.getKey(), substitute(field.getValue(), project, createdBy));
      }
      return out;
    }
    if (v.isArray()) {
      ArrayNode out = Json.mapper().createArrayNode();
      for (JsonNode item : v) {
        out.add(substitute(item, project, createdBy));
      }
      return out;
    }
    return v;
  }

  private static String str(JsonNode node, String key, String fallback) {
    JsonNode v = node.get(key);
    return v == null || !v.isTextual() ? fallback : v.asText();
  }

  /** An integer field of the scenario; scenario integers fit a long. */
  private static long num(JsonNode node, String key, long fallback) {
    JsonNode v = node.get(key);
    return v == null || !v.isNumber() ? fallback : v.longValue();
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
