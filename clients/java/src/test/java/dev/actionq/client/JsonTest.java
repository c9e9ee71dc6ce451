package dev.actionq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import dev.actionq.v1.Event;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {

  private static final List<String> BIG_INTEGERS = List.of(
      "9007199254740993",                         // 2^53 + 1
      "-9223372036854775808",                     // -2^63
      "9223372036854775807",                      // 2^63 - 1
      "18446744073709551615",                     // 2^64 - 1
      "-123456789012345678901234567890123456789"); // far beyond any machine integer

  @Test
  void bigIntegersKeepEveryDigitBothWays() {
    for (String digits : BIG_INTEGERS) {
      ObjectNode decoded = Json.parseObject("{\"n\": " + digits + "}");
      assertEquals(new BigInteger(digits), decoded.get("n").bigIntegerValue(), digits);
      assertEquals("{\"n\":" + digits + "}", Json.write(decoded), digits);
      assertEquals(decoded, Json.parse(Json.write(decoded)), digits);
    }
  }

  @Test
  void neighboursBeyondDoublePrecisionStayDistinct() {
    assertNotEquals(Json.parse("{\"n\": 9007199254740993}"),
        Json.parse("{\"n\": 9007199254740992}"));
  }

  @Test
  void smallIntegersAreIntegersNotFractions() {
    JsonNode five = Json.parse("{\"i\": 5}").get("i");
    assertTrue(five.isIntegralNumber());
    assertEquals(5, five.asInt());
    assertEquals("{\"i\":5}", Json.write(Json.parse("{\"i\": 5}")));
  }

  @Test
  void fractionsAreExactDecimals() {
    JsonNode decoded = Json.parse("{\"f\": 0.1, \"g\": 3.5, \"e\": 1e400, \"z\": 2.50}");
    assertEquals(new BigDecimal("0.1"), decoded.get("f").decimalValue());
    assertEquals(0.1, decoded.get("f").doubleValue());
    assertEquals(new BigDecimal("1e400"), decoded.get("e").decimalValue()); // beyond a double
    assertEquals(decoded, Json.parse(Json.write(decoded)));
    assertEquals("2.50", decoded.get("z").decimalValue().toPlainString());
  }

  @Test
  void unicodeAndEscapesRoundTripExactly() {
    String text = "héllo 日本語 🎉 \u2028 \"quoted\" \\ back \u0001";
    ObjectNode payload = Json.object().put("s", text);
    ObjectNode decoded = Json.parseObject(Json.write(payload));
    assertEquals(text, decoded.get("s").asText());
    assertEquals(Json.parse("{\"s\": \"\\ud83c\\udf89\"}").get("s").asText(), "🎉");
  }

  @Test
  void deepObjectsRoundTrip() {
    StringBuilder text = new StringBuilder();
    for (int level = 1; level < 64; level++) {
      text.append("{\"l").append(level).append("\": ");
    }
    text.append("{\"leaf\": 64}").append("}".repeat(63));
    ObjectNode decoded = Json.parseObject(text.toString());
    assertEquals(decoded, Json.parse(Json.write(decoded)));
    JsonNode node = decoded;
    for (int level = 1; level < 64; level++) {
      node = node.get("l" + level);
    }
    assertEquals(64, node.get("leaf").asInt());
  }

  @Test
  void decodedObjectsCompareByValueNotKeyOrder() {
    assertEquals(Json.parse("{\"a\": [1, true, null], \"b\": {\"c\": \"x\"}}"),
        Json.parse("{\"b\":{\"c\":\"x\"},\"a\":[1,true,null]}"));
  }

  @Test
  void writeObjectTakesMapsAndRecordsButOnlyObjects() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("n", new BigInteger("18446744073709551615"));
    map.put("list", List.of(1, "x"));
    assertEquals("{\"n\":18446744073709551615,\"list\":[1,\"x\"]}", Json.writeObject(map));
    record Point(long x, BigInteger y) {}
    assertEquals("{\"x\":-9223372036854775808,\"y\":9007199254740993}",
        Json.writeObject(new Point(Long.MIN_VALUE, new BigInteger("9007199254740993"))));
    assertThrows(IllegalArgumentException.class, () -> Json.writeObject(List.of(1, 2)));
    assertThrows(IllegalArgumentException.class, () -> Json.writeObject("text"));
  }

  @Test
  void malformedTextIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1"));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("{} {}"));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": NaN}"));
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1, 2]"));
  }

  @Test
  void actionAndEventAccessors() {
    Action action = Action.newBuilder()
        .setPayloadJson("{\"user_id\": 9007199254740993}")
        .build();
    assertEquals(new BigInteger("9007199254740993"),
        Json.payload(action).get("user_id").bigIntegerValue());
    assertEquals(Optional.empty(), Json.result(action));
    assertEquals(Optional.of(Json.parse("{\"ok\": 18446744073709551615}")),
        Json.result(action.toBuilder().setResultJson("{\"ok\":18446744073709551615}").build()));
    assertEquals(Json.object(), Json.payload(Action.getDefaultInstance()));
    assertEquals(Json.parse("{\"cycle\": 7}"),
        Json.payload(Event.newBuilder().setPayloadJson("{\"cycle\":7}").build()));
  }

  @Test
  void jobDecodesThePayload() {
    Job job = Job.of(Action.newBuilder().setId(42).setActionType("t")
        .setPayloadJson("{\"n\": -9223372036854775808}").build());
    assertEquals(42, job.id());
    assertEquals("t", job.actionType());
    assertEquals(Long.MIN_VALUE, job.payload().get("n").longValue());
  }

  @Test
  void resultEncodesItsObject() {
    Result result = Result.of("ref", Json.object().put("n", new BigInteger("9007199254740993")));
    assertEquals("{\"n\":9007199254740993}", result.resultJson());
    assertEquals("", Result.of("ref").resultJson());
    assertThrows(IllegalArgumentException.class, () -> Result.of("ref", List.of(1)));
  }
}
