package dev.actionq.examples;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.actionq.client.ActionQueueClient;
import dev.actionq.v1.EnqueueRequest;
import dev.actionq.v1.EnqueueResponse;
import dev.actionq.v1.NewAction;
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

    EnqueueResponse r = client.enqueue(EnqueueRequest.newBuilder()
        .addActions(NewAction.newBuilder()
            .setActionType("email.send").setProject("demo").setCreatedBy("human:me")
            .setPayload(Struct.newBuilder()
                .putFields("to", Value.newBuilder().setStringValue("a@b.c").build())))
        .build());
    System.out.println(r);
    client.close();
  }
}
