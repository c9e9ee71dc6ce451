package dev.actionq.examples;

import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.Json;
import dev.actionq.client.Result;
import dev.actionq.client.Worker;

/** The worker example of the README, compiled by conformance.sh so that it stays true. */
public final class WorkerExample {
  public static void main(String[] args) {
    try (ActionQueueClient client = ActionQueueClient.builder().build(); // $ACTIONQ_SERVER
        Worker worker = Worker.builder(client)
            .actionTypes("email.send")
            .concurrency(4)
            .handler(job -> {
              String to = job.payload().path("to").asText(); // a Jackson ObjectNode
              return Result.of("sent:" + to, Json.object().put("accepted", 1)); // → result_json
              // throw to fail the attempt instead
            })
            .build()) {
      worker.run(); // until SIGINT/SIGTERM: stops claiming, lets running handlers finish
    }
  }
}
