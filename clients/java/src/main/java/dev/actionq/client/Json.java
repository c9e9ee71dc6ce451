package dev.actionq.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import dev.actionq.v1.Event;
import java.util.Optional;

/**
 * The JSON of the API (payloads, results, event payloads travel as JSON text) as Jackson trees,
 * decoded and encoded without losing anything.
 *
 * <p>Every integer decodes to a {@link java.math.BigInteger} node and every fraction to a
 * {@link java.math.BigDecimal} node, so 2^53+1, -2^63 and 2^64-1 keep every digit and 0.1 stays
 * exactly the decimal that was sent ({@code node.asLong()}, {@code node.bigIntegerValue()},
 * {@code node.doubleValue()} read them). Two decoded trees compare equal with
 * {@link JsonNode#equals} exactly when they hold the same values; compare decoded trees with
 * decoded trees, not with trees built by hand from {@code int}s. To turn a tree into your own
 * type, use {@code Json.mapper().treeToValue(node, MyType.class)}.
 */
public final class Json {

  /**
   * The mapper that decodes and encodes every JSON text of the API. Trailing text after the value
   * is an error; NaN and infinities are written bare (invalid JSON that the server refuses as
   * INVALID_FIELD) rather than turned into strings.
   */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .build();

  private Json() {}

  /** The configured mapper, for conversions between trees and your own types. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A new empty object node, to build a payload or a result. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * Decodes JSON text losslessly.
   *
   * @throws IllegalArgumentException when {@code text} is not one JSON value
   */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Decodes the text of a JSON object, as payloads and results are; empty text is the empty
   * object.
   *
   * @throws IllegalArgumentException when {@code text} is neither empty nor a JSON object
   */
  public static ObjectNode parseObject(String text) {
    if (text.isEmpty()) {
      return object();
    }
    JsonNode node = parse(text);
    if (!node.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + node.getNodeType());
    }
    return (ObjectNode) node;
  }

  /**
   * Encodes a value as JSON text: a {@link JsonNode}, a {@code Map}, a record or bean, a
   * {@code BigInteger}, … (whatever Jackson can serialize). Numbers keep every digit.
   *
   * @throws IllegalArgumentException when Jackson cannot serialize {@code value}
   */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Encodes a value that must be a JSON object (a payload or a result) as JSON text.
   *
   * @throws IllegalArgumentException when {@code value} does not serialize to a JSON object
   */
  public static String writeObject(Object value) {
    JsonNode tree;
    try {
      tree = value instanceof JsonNode ? (JsonNode) value : MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("not a JSON object: "
          + (tree == null ? "null" : tree.getNodeType()));
    }
    return write(tree);
  }

  /** The action's payload ({@code payload_json}), decoded; the empty object when none. */
  public static ObjectNode payload(Action action) {
    return parseObject(action.getPayloadJson());
  }

  /** The action's structured result ({@code result_json}), decoded; empty when it has none. */
  public static Optional<ObjectNode> result(Action action) {
    String text = action.getResultJson();
    return text.isEmpty() ? Optional.empty() : Optional.of(parseObject(text));
  }

  /** The event's payload ({@code payload_json}), decoded; the empty object when none. */
  public static ObjectNode payload(Event event) {
    return parseObject(event.getPayloadJson());
  }
}
