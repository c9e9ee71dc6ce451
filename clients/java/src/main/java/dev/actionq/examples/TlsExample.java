package dev.actionq.examples;

import dev.actionq.client.ActionQueueClient;
import java.nio.file.Path;

/** The "TLS and tokens" example of the README, compiled by conformance.sh so that it stays true. */
public final class TlsExample {
  public static void main(String[] args) {
    ActionQueueClient client = ActionQueueClient.builder()
        .address("queue.internal:50051")
        .caFile(Path.of("/etc/actionq/ca.pem"))             // trust this CA instead of the system's
        .clientCertificate(Path.of("/etc/actionq/me.pem"),  // mutual TLS, when the server asks
            Path.of("/etc/actionq/me.key"))
        .authToken(System.getenv("ACTIONQ_TOKEN"))          // an API token (actionctl token create)
        .build();
    // Or with nothing in code: ACTIONQ_SERVER, ACTIONQ_CA_FILE, ... and ActionQueueClient.builder().build().
    client.close();
  }
}
