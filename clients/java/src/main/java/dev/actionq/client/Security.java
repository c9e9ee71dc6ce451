package dev.actionq.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where and how a client connects: the address, TLS (the system's roots or a CA file, and a
 * client certificate for mutual TLS) and the bearer token, each from the builder or, when the
 * builder leaves it unset, from the same environment variables every actionq client reads.
 *
 * @param address the server address
 * @param tls whether the channel uses TLS
 * @param token the bearer token, or null for none
 * @param caFile PEM CA(s) trusted instead of the system's roots, or null
 * @param certFile PEM client certificate, or null
 * @param keyFile PEM (PKCS#8) key of {@code certFile}, or null
 * @param insecureToken whether the token may go over plaintext to an address off loopback
 */
record Security(String address, boolean tls, String token, Path caFile, Path certFile,
    Path keyFile, boolean insecureToken) {

  static final String SERVER_ENV = ActionQueueClient.SERVER_ENV;
  static final String TOKEN_ENV = ActionQueueClient.TOKEN_ENV;
  static final String CA_FILE_ENV = ActionQueueClient.CA_FILE_ENV;
  static final String CLIENT_CERT_ENV = ActionQueueClient.CLIENT_CERT_ENV;
  static final String CLIENT_KEY_ENV = ActionQueueClient.CLIENT_KEY_ENV;
  static final String TLS_ENV = ActionQueueClient.TLS_ENV;

  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

  /**
   * The settings of a builder: each null argument is looked up in {@code env} (blank values
   * count as unset); an empty {@code token} means no token, whatever the environment says.
   *
   * @throws IllegalArgumentException when a client certificate comes without its key
   */
  static Security resolve(Function<String, String> env, String address, Boolean tls,
      String token, Path caFile, Path certFile, Path keyFile, boolean insecureToken) {
    String resolvedAddress = address != null ? address : value(env, SERVER_ENV);
    if (resolvedAddress == null) {
      resolvedAddress = ActionQueueClient.DEFAULT_ADDRESS;
    }
    String resolvedToken = token != null ? token : value(env, TOKEN_ENV);
    if (resolvedToken != null && resolvedToken.isEmpty()) {
      resolvedToken = null;
    }
    Path ca = caFile != null ? caFile : path(env, CA_FILE_ENV);
    Path cert = certFile;
    Path key = keyFile;
    if (cert == null && key == null) {
      cert = path(env, CLIENT_CERT_ENV);
      key = path(env, CLIENT_KEY_ENV);
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("a client certificate and its key go together "
          + "(mutual TLS): set both " + CLIENT_CERT_ENV + " and " + CLIENT_KEY_ENV + ", or neither");
    }
    boolean wantsTls = tls != null ? tls : isTrue(value(env, TLS_ENV));
    boolean usesTls = wantsTls || ca != null || cert != null;
    return new Security(resolvedAddress, usesTls, resolvedToken, ca, cert, key, insecureToken);
  }

  /**
   * The channel credentials: plaintext, or TLS with the CA file's roots (else the system's) and
   * the client certificate when there is one. Reads the files now.
   *
   * @throws IllegalArgumentException when a file cannot be read or holds no usable PEM
   */
  ChannelCredentials channelCredentials() {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      if (caFile != null) {
        credentials.trustManager(caFile.toFile());
      }
      if (certFile != null) {
        credentials.keyManager(certFile.toFile(), keyFile.toFile());
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot use the TLS files (CA " + caFile
          + ", certificate " + certFile + ", key " + keyFile + "): " + e.getMessage(), e);
    }
    return credentials.build();
  }

  /**
   * A channel to {@link #address()} with these credentials (it connects on its first call).
   *
   * @throws IllegalArgumentException when a TLS file cannot be used, or a token would go over
   *     plaintext to an address that is not loopback without {@code insecureToken}
   */
  ManagedChannel newChannel() {
    if (!tls && token != null && !insecureToken && !isLoopback(address)) {
      throw new IllegalArgumentException("refusing to send the token in plaintext to " + address
          + ": use TLS (caFile, tls(true), " + CA_FILE_ENV + ", " + TLS_ENV + "=true), or "
          + "insecureToken(true) on a trusted network");
    }
    ChannelCredentials credentials = channelCredentials();
    try {
      return Grpc.newChannelBuilder(address, credentials).build();
    } catch (IllegalArgumentException e) {
      // Netty reads the certificate and key here; it takes keys in PKCS#8 only.
      throw new IllegalArgumentException("cannot use the TLS files (certificate " + certFile
          + ", key " + keyFile + "): " + e.getMessage() + (keyFile == null ? ""
          : "; the key must be PEM PKCS#8 (BEGIN PRIVATE KEY), e.g. from "
              + "openssl pkcs8 -topk8 -nocrypt -in " + keyFile), e);
    }
  }

  @Override
  public String toString() { // never the token
    return "Security[address=" + address + ", tls=" + tls + ", token=" + (token != null)
        + ", caFile=" + caFile + ", certFile=" + certFile + ", keyFile=" + keyFile
        + ", insecureToken=" + insecureToken + "]";
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /**
   * Whether {@code address} ({@code host:port}, or a target such as {@code dns:///host:port} or
   * {@code unix:path}) stays on this machine. Names other than localhost are not resolved.
   */
  static boolean isLoopback(String address) {
    if (address.startsWith("unix:") || address.startsWith("unix-abstract:")) {
      return true;
    }
    int scheme = address.indexOf(":///");
    String rest = scheme >= 0 ? address.substring(scheme + 4) : address;
    String host;
    if (rest.startsWith("[")) {
      int end = rest.indexOf(']');
      host = end < 0 ? rest : rest.substring(1, end);
    } else {
      int colon = rest.lastIndexOf(':');
      host = colon >= 0 && rest.indexOf(':') == colon ? rest.substring(0, colon) : rest;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IPV4.matcher(host).matches() && !host.contains(":")) {
      return false; // a name: never looked up here
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String value(Function<String, String> env, String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static Path path(Function<String, String> env, String name) {
    String v = value(env, name);
    return v == null ? null : Path.of(v);
  }

  private static boolean isTrue(String v) {
    return v != null && TRUE.contains(v.toLowerCase(Locale.ROOT));
  }
}
