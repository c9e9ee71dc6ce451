package dev.actionq.examples;

import dev.actionq.client.ActionQueueClient;
import dev.actionq.client.ActionqException;
import dev.actionq.client.Json;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.NewAction;
import java.math.BigInteger;
import java.time.Duration;

/** The client example of the README, compiled by conformance.sh so that it stays true. */
public final class ClientExample {
  public static void main(String[] args) {
    ActionQueueClient client = ActionQueueClient.builder()
        .address("queue.internal:50051")   // default: $ACTIONQ_SERVER, else 127.0.0.1:50051
        .tls(true)                         // default: plaintext
        .authToken(System.getenv("ACTIONQ_TOKEN")) // sent as "authorization: Bearer <token>"
        .timeout(Duration.ofSeconds(10))   // deadline of each unary call (the default)
        .build();

    try {
      EnqueueResponse r = client.enqueue(EnqueueRequest.newBuilder()
          .addActions(NewAction.newBuilder()
              .setActionType("email.send").setProject("demo").setCreatedBy("human:me")
              .setPayloadJson(Json.write(Json.object()
                  .put("to", "a@b.c")
                  .put("user_id", new BigInteger("9007199254740993"))))) // every digit kept
          .build()); // a fresh request_id; retried safely if the answer is lost
      // Prints 9007199254740993: payloads decode losslessly too.
      System.out.println(Json.payload(r.getActions(0).getAction()).get("user_id"));
    } catch (ActionqException e) {
      System.err.println(e.code() + " " + e.reasonName() + " " + e.field() + ": " + e.message());
    }
    client.close();
  }
}
