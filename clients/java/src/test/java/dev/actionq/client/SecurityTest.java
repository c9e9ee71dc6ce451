package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.actionq.v1.ActionQueueServiceGrpc;
import dev.actionq.v1.GetActionRequest;
import dev.actionq.v1.GetActionResponse;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The builder's TLS and token options and the environment variables that fill them in. The
 * files in {@code src/test/resources/tls} are a throwaway self-signed test certificate and its
 * key in PKCS#8 and in SEC1 form (openssl req -x509 -newkey ec; openssl ec), trusted by nothing.
 */
class SecurityTest {

  private static ActionQueueClient.Builder with(Map<String, String> env) {
    return ActionQueueClient.builder().environment(env::get);
  }

  @Test
  void withNothingSetItIsPlaintextToTheDefaultAddressWithoutAToken() {
    Security s = with(Map.of()).security();
    assertEquals(ActionQueueClient.DEFAULT_ADDRESS, s.address());
    assertFalse(s.tls());
    assertNull(s.token());
    assertInstanceOf(InsecureChannelCredentials.class, s.channelCredentials());
    // Blank values count as unset.
    Security blank = with(Map.of("ACTIONQ_SERVER", " ", "ACTIONQ_TOKEN", "",
        "ACTIONQ_CA_FILE", "", "ACTIONQ_TLS", "")).security();
    assertEquals(ActionQueueClient.DEFAULT_ADDRESS, blank.address());
    assertFalse(blank.tls());
    assertNull(blank.token());
  }

  @Test
  void theEnvironmentNamesServerTokenAndTlsFiles() {
    Map<String, String> env = Map.of(
        "ACTIONQ_SERVER", "queue.internal:443",
        "ACTIONQ_TOKEN", "aq_0123456789ab_secret",
        "ACTIONQ_CA_FILE", "/etc/actionq/ca.pem",
        "ACTIONQ_CLIENT_CERT", "/etc/actionq/me.pem",
        "ACTIONQ_CLIENT_KEY", "/etc/actionq/me.key");
    Security s = with(env).security();
    assertEquals("queue.internal:443", s.address());
    assertEquals("aq_0123456789ab_secret", s.token());
    assertEquals(Path.of("/etc/actionq/ca.pem"), s.caFile());
    assertEquals(Path.of("/etc/actionq/me.pem"), s.certFile());
    assertEquals(Path.of("/etc/actionq/me.key"), s.keyFile());
    assertTrue(s.tls(), "the files imply TLS");
    assertFalse(s.toString().contains("secret"), s.toString());

    // What the builder sets wins; an empty token sends none whatever ACTIONQ_TOKEN says.
    Security own = with(env).address("other:1").authToken("")
        .caFile(Path.of("/tmp/ca.pem")).security();
    assertEquals("other:1", own.address());
    assertNull(own.token());
    assertEquals(Path.of("/tmp/ca.pem"), own.caFile());
    assertEquals(Path.of("/etc/actionq/me.pem"), own.certFile());
  }

  @Test
  void actionqTlsTurnsOnTlsWithTheSystemRoots() {
    for (String on : List.of("true", "1", "yes", "on", "TRUE")) {
      Security s = with(Map.of("ACTIONQ_TLS", on)).security();
      assertTrue(s.tls(), on);
      assertNull(s.caFile());
      assertInstanceOf(TlsChannelCredentials.class, s.channelCredentials());
    }
    for (String off : List.of("false", "0", "no", "off")) {
      assertFalse(with(Map.of("ACTIONQ_TLS", off)).security().tls(), off);
    }
    assertFalse(with(Map.of("ACTIONQ_TLS", "true")).tls(false).security().tls());
  }

  @Test
  void aCertificateNeedsItsKeyAndTheFilesMustBeReadable() {
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> with(Map.of("ACTIONQ_CLIENT_CERT", "/tmp/me.pem")).build());
    assertTrue(half.getMessage().contains("ACTIONQ_CLIENT_KEY"), half.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> with(Map.of()).caFile(Path.of("/nonexistent/actionq-ca.pem")).build());
    assertTrue(missing.getMessage().contains("/nonexistent/actionq-ca.pem"),
        missing.getMessage());
  }

  private static Path resource(String name) throws Exception {
    return Path.of(SecurityTest.class.getResource("/tls/" + name).toURI());
  }

  @Test
  void aClientCertificateWithItsPkcs8KeyMakesAChannel() throws Exception {
    try (ActionQueueClient client = with(Map.of("ACTIONQ_SERVER", "127.0.0.1:1"))
        .caFile(resource("cert.pem"))
        .clientCertificate(resource("cert.pem"), resource("key-pkcs8.pem"))
        .build()) {
      assertEquals("127.0.0.1:1", client.address());
    }
  }

  @Test
  void aKeyThatIsNotPkcs8IsRefusedWithTheWayOut() throws Exception {
    Path sec1 = resource("key-sec1.pem");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> with(Map.of()).clientCertificate(resource("cert.pem"), sec1).build());
    assertTrue(e.getMessage().contains("PKCS#8") && e.getMessage().contains(sec1.toString()),
        e.getMessage());
  }

  @Test
  void aTokenGoesOverPlaintextOnlyToLoopbackUnlessAllowed() {
    for (String address : List.of("127.0.0.1:50051", "localhost:1", "[::1]:50051",
        "dns:///127.0.0.2:9", "unix:/run/actionq.sock")) {
      assertTrue(Security.isLoopback(address), address);
      with(Map.of("ACTIONQ_TOKEN", "t")).address(address).build().close();
    }
    for (String address : List.of("10.1.2.3:50051", "queue.internal:50051",
        "dns:///queue.internal:50051", "[2001:db8::1]:50051", "localhost.example:1")) {
      assertFalse(Security.isLoopback(address), address);
    }
    ActionQueueClient.Builder remote = with(Map.of("ACTIONQ_TOKEN", "t")).address("10.1.2.3:1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, remote::build);
    assertTrue(e.getMessage().contains("10.1.2.3:1"), e.getMessage());
    assertFalse(e.getMessage().contains("Bearer"), e.getMessage());
    remote.insecureToken(true).build().close();
    with(Map.of("ACTIONQ_TOKEN", "t", "ACTIONQ_TLS", "true")).address("10.1.2.3:1").build()
        .close();
    with(Map.of()).address("10.1.2.3:1").build().close(); // no token, nothing to protect
  }

  /** Records the authorization header of every call and answers an empty action. */
  private static final class Recording extends ActionQueueServiceGrpc.ActionQueueServiceImplBase
      implements ServerInterceptor {
    final List<String> authorization = Collections.synchronizedList(new ArrayList<>());

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String value = headers.get(BearerToken.AUTHORIZATION);
      authorization.add(value == null ? "<none>" : value);
      return next.startCall(call, headers);
    }

    @Override
    public void getAction(GetActionRequest request, StreamObserver<GetActionResponse> out) {
      out.onNext(GetActionResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  @Test
  void theTokenGoesOutAsABearerHeaderOnEveryCall() throws Exception {
    Recording recording = new Recording();
    try (InProcess server = InProcess.serve(
        () -> ServerInterceptors.intercept(recording, recording),
        with(Map.of("ACTIONQ_TOKEN", "from-env")))) {
      server.client.getAction(GetActionRequest.getDefaultInstance());
      server.client.getAction(GetActionRequest.getDefaultInstance());
    }
    try (InProcess server = InProcess.serve(
        () -> ServerInterceptors.intercept(recording, recording),
        with(Map.of("ACTIONQ_TOKEN", "from-env")).authToken(""))) {
      server.client.getAction(GetActionRequest.getDefaultInstance());
    }
    assertEquals(List.of("Bearer from-env", "Bearer from-env", "<none>"),
        recording.authorization);
  }
}
