package io.backpropstreams.avro;

import io.backpropstreams.schema.PredictRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both wire forms of a predict request, and the reason each malformed one is refused with. */
class PredictRequestCodecTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonAndAvroRoundTripTheInputBitForBitAndTheRequestId() {
        double[] input = {0.05, -0.1, 1e-300, 123456.789, Math.PI};
        for (String id : new String[] {null, "", "r-1", "quote \" backslash \\ tab \t é ☃ 😀"}) {
            PredictRequestCodec.Request fromJson = PredictRequestCodec.decode(utf8(PredictRequestCodec.toJson(input, id)));
            PredictRequestCodec.Request fromAvro = PredictRequestCodec.decode(PredictRequestCodec.toAvro(input, id));
            for (PredictRequestCodec.Request r : List.of(fromJson, fromAvro)) {
                assertArrayEquals(input, r.input());
                assertEquals(id, r.requestId());
            }
        }
    }

    @Test
    void avroWrittenByTheGeneratedClassDecodesLikeTheFastPath() {
        byte[] bytes = Serdes.PREDICT_REQUEST.encode(new PredictRequest(List.of(1.0, 2.0), "x"));
        PredictRequestCodec.Request r = PredictRequestCodec.decode(bytes);
        assertArrayEquals(new double[] {1.0, 2.0}, r.input());
        assertEquals("x", r.requestId());
    }

    @Test
    void theRequestIdIsOptionalAndMayBeNull() {
        assertNull(PredictRequestCodec.decode(utf8("{\"input\":[1,2]}")).requestId());
        assertNull(PredictRequestCodec.decode(utf8("{\"requestId\":null,\"input\":[1,2]}")).requestId());
        assertEquals("a", PredictRequestCodec.decode(utf8("{\"requestId\":\"a\",\"input\":[1,2]}")).requestId());
    }

    @Test
    void nanAndInfinityPassTheParserForTheValidatorToName() {
        double[] v = PredictRequestCodec.decode(utf8("{\"input\":[NaN,Infinity,-Infinity,1e999]}")).input();
        assertTrue(Double.isNaN(v[0]));
        assertEquals(Double.POSITIVE_INFINITY, v[1]);
        assertEquals(Double.NEGATIVE_INFINITY, v[2]);
        assertEquals(Double.POSITIVE_INFINITY, v[3]);
    }

    @Test
    void eachMalformedRequestHasItsReason() {
        byte[] avro = PredictRequestCodec.toAvro(new double[] {1, 2}, "r");
        Object[][] cases = {
            {null, "empty-value"},
            {new byte[0], "empty-value"},
            {utf8("{oops"), "malformed-json"},
            {utf8("{\"input\":[1]}{}"), "malformed-json"},
            {utf8("{\"input\":[1],\"input\":[2]}"), "malformed-json"},
            {utf8("{\"input\":[1]"), "malformed-json"},
            {utf8("\"just a string\""), "wrong-json-shape"},
            {utf8("{}"), "wrong-json-shape"},
            {utf8("{\"input\":1}"), "wrong-json-shape"},
            {utf8("{\"input\":[true]}"), "wrong-json-shape"},
            {utf8("{\"input\":[1],\"id\":\"x\"}"), "wrong-json-shape"},
            {utf8("{\"input\":[1],\"requestId\":[\"x\"]}"), "wrong-json-shape"},
            {java.util.Arrays.copyOf(avro, avro.length - 1), "undecodable-avro"},
            {java.util.Arrays.copyOf(avro, avro.length + 1), "undecodable-avro"},
            {SampleCodec.toAvro(new double[] {1}, new double[] {2}), "unknown-schema"},
        };
        for (Object[] c : cases) {
            DecodingException e = assertThrows(DecodingException.class, () -> PredictRequestCodec.decode((byte[]) c[0]),
                    () -> c[1] + " expected for " + (c[0] == null ? "null" : new String((byte[]) c[0], StandardCharsets.ISO_8859_1)));
            assertEquals(c[1], e.reason(), e.getMessage());
        }
    }
}
