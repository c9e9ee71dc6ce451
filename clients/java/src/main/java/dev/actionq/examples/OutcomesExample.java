package dev.actionq.examples;

import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.Json;
import dev.actionq.client.Protos;
import dev.actionq.client.Result;
import dev.actionq.client.WaitTimeoutException;
import dev.actionq.client.Worker;
import dev.actionq.v1.Action;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.NewAction;
import dev.actionq.v1.RetryRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The outcomes example of the README, compiled by build.sh so that it stays true. */
public final class OutcomesExample {
  public static void main(String[] args) throws InterruptedException {
    try (ActionQueueClient client = ActionQueueClient.builder().build()) {
      long id = client.enqueue(EnqueueRequest.newBuilder().addActions(NewAction.newBuilder()
          .setActionType("report.build").setProject("demo").setCreatedBy("human:me")
          .setPayloadJson(Json.write(Json.object().put("month", "2026-11")))
          .setMaxAttempts(5) // 0 = the queue's default
          .setBackoff(Protos.exponentialBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), 0.1))
          .setDelay(Protos.duration(Duration.ofSeconds(1)))).build())
          .getActions(0).getAction().getId();
      Worker worker = Worker.builder(client).actionTypes("report.build").stopOnShutdown(false)
          .handler(job -> {
            String month = job.payload().path("month").asText("");
            if (month.isEmpty()) {
              return Result.reject("month missing"); // rejected, never retried
            }
            if (month.compareTo("2020") < 0) {
              return Result.failNoRetry("archived"); // failed now, attempts left or not
            }
            if (job.attempt() == 1) {
              return Result.retryIn(Duration.ofSeconds(30), "cold cache"); // not the backoff
            }
            job.progress(Map.of("step", 1, "of", 2)); // stored on the action, an event
            return Result.of("s3://reports/2026-11.pdf", Map.of("pages", 12));
          })
          .build();
      Thread running = new Thread(worker::run);
      running.start();
      try {
        Action done = client.waitFor(List.of(id), Duration.ofMinutes(2)).get(0); // no polling
        System.out.println(done.getStatus() + " " + Json.result(done) + " "
            + done.getProgressJson());
      } catch (WaitTimeoutException e) {
        System.out.println("still running"); // DEADLINE_EXCEEDED / WAIT_TIMEOUT
      }
      worker.close();
      running.join();
      client.retry(RetryRequest.newBuilder().setActionType("report.build").setLimit(100)
          .build()); // dead letters back to pending; or client.retry(List.of(id))
    }
  }
}
