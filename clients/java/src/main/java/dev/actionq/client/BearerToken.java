package dev.actionq.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Call credentials that send {@code authorization: Bearer <token>} with every call. */
final class BearerToken extends CallCredentials {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Metadata headers = new Metadata();

  BearerToken(String token) {
    headers.put(AUTHORIZATION, "Bearer " + token);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata copy = new Metadata();
    copy.merge(headers);
    applier.apply(copy);
  }
}
