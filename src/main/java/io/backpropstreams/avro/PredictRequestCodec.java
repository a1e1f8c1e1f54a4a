package io.backpropstreams.avro;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.backpropstreams.schema.PredictRequest;

import java.io.IOException;

/**
 * Reads a predict request in either accepted form, as {@link SampleCodec} reads a sample:
 * <ul>
 *   <li>Avro {@code PredictRequest} in single-object encoding (its {@code C3 01} marker);</li>
 *   <li>JSON {@code {"input":[0.05,0.1],"requestId":"r-1"}}, {@code requestId} optional (a string
 *       or null), so that kcat or {@code kafka-console-producer} can ask too.</li>
 * </ul>
 * The JSON parse is the sample's (Jackson's streaming parser straight into {@code double[]}, NaN
 * and Infinity tokens let through for the validator to name, duplicate keys refused); any other
 * field, a {@code target} included, is a {@code wrong-json-shape}, as for samples.
 */
public final class PredictRequestCodec {

    /** The 8-byte CRC-64-AVRO fingerprint of {@code PredictRequest}, little-endian, as it follows the marker. */
    private static final byte[] FINGERPRINT = java.util.Arrays.copyOfRange(Serdes.PREDICT_REQUEST.singleObjectHeader(), 2, 10);

    private static final ThreadLocal<org.apache.avro.io.BinaryDecoder> DECODER = new ThreadLocal<>();

    /** A decoded request: the input vector and the caller's id, or null. */
    public record Request(double[] input, String requestId) {
    }

    private PredictRequestCodec() {
    }

    /**
     * Decodes {@code bytes}.
     *
     * @throws DecodingException with reason {@code empty-value}, {@code unknown-schema},
     *         {@code undecodable-avro}, {@code malformed-json} or {@code wrong-json-shape}
     */
    public static Request decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new DecodingException("empty-value", "predict request value is " + (bytes == null ? "null" : "empty"));
        }
        if (AvroSerde.isSingleObjectEncoded(bytes)) {
            if (bytes.length >= 10 && java.util.Arrays.equals(bytes, 2, 10, FINGERPRINT, 0, 8)) {
                return decodeAvroDatum(bytes);
            }
            // another schema's fingerprint (a Sample sent here by mistake): Avro's decoder names it unknown-schema
            PredictRequest r = Serdes.PREDICT_REQUEST.decode(bytes);
            return new Request(SampleCodec.toArray(r.getInput()), r.getRequestId());
        }
        return decodeJson(bytes);
    }

    /** The JSON form of a request; {@code requestId} may be null (then it is left out). */
    public static String toJson(double[] input, String requestId) {
        StringBuilder sb = new StringBuilder(32 + 24 * input.length);
        sb.append("{\"input\":");
        SampleCodec.appendArray(sb, input);
        if (requestId != null) {
            sb.append(",\"requestId\":\"");
            com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(requestId, sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** The Avro single-object encoding of a request; {@code requestId} may be null. */
    public static byte[] toAvro(double[] input, String requestId) {
        return Serdes.PREDICT_REQUEST.encode(new PredictRequest(SampleCodec.asList(input), requestId));
    }

    /** The datum in schema order ({@code input}, {@code requestId}), without boxing the input. */
    private static Request decodeAvroDatum(byte[] bytes) {
        org.apache.avro.io.BinaryDecoder d = org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, DECODER.get());
        DECODER.set(d);
        try {
            double[] input = SampleCodec.readDoubles(d, bytes.length);
            int branch = d.readIndex();
            String requestId;
            if (branch == 0) {
                requestId = null;
            } else if (branch == 1) {
                requestId = d.readString();
            } else {
                throw new IOException("bad union index " + branch + " for field requestId");
            }
            if (!d.isEnd()) {
                throw new IOException("the request is followed by trailing bytes");
            }
            return new Request(input, requestId);
        } catch (IOException | RuntimeException e) {
            throw new DecodingException("undecodable-avro", "bytes do not decode as Avro PredictRequest: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    private static Request decodeJson(byte[] bytes) {
        double[] input = null;
        String requestId = null;
        try (JsonParser p = SampleCodec.JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodingException("wrong-json-shape", "predict request must be a JSON object {\"input\":[..],\"requestId\":\"..\"}, got "
                        + SampleCodec.describe(p.currentToken()));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "input" -> input = SampleCodec.readArray(p, t, "predict request", "input");
                    case "requestId" -> {
                        if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                            throw new DecodingException("wrong-json-shape", "predict request field 'requestId' must be a string, got "
                                    + SampleCodec.describe(t));
                        }
                        requestId = t == JsonToken.VALUE_NULL ? null : p.getText();
                    }
                    default -> throw new DecodingException("wrong-json-shape", "predict request has unknown field '" + field
                            + "'; expected input and optionally requestId");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new DecodingException("malformed-json", "predict request JSON is not a complete object");
            }
            if (p.nextToken() != null) {
                throw new DecodingException("malformed-json", "predict request JSON has trailing content after the object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DecodingException("malformed-json", "predict request is neither Avro nor valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodingException("malformed-json", "predict request could not be read: " + e.getMessage(), e);
        }
        if (input == null) {
            throw new DecodingException("wrong-json-shape", "predict request JSON needs an 'input' array");
        }
        return new Request(input, requestId);
    }
}
