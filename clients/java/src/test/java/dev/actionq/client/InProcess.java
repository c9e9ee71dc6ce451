package dev.actionq.client;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A stand-in server in this JVM and a client connected to it, closed together. */
final class InProcess implements AutoCloseable {

  private final Server server;
  final ActionQueueClient client;

  private InProcess(Server server, ActionQueueClient client) {
    this.server = server;
    this.client = client;
  }

  /** Serves {@code service} under a fresh in-process name; the client uses default options. */
  static InProcess serve(BindableService service) throws IOException {
    return serve(service, ActionQueueClient.builder());
  }

  /** Serves {@code service}; the client is {@code builder} with the in-process channel. */
  static InProcess serve(BindableService service, ActionQueueClient.Builder builder)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).addService(service).build().start();
    return new InProcess(server,
        builder.channel(InProcessChannelBuilder.forName(name).build()).build());
  }

  /** A client whose channel leads nowhere: every call fails as with no server. */
  static ActionQueueClient nowhere() {
    return ActionQueueClient.builder()
        .channel(InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build())
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
