package io.backpropstreams.avro;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.backpropstreams.schema.Sample;

import java.io.IOException;
import java.util.List;

/**
 * Reads a sample value in either accepted form and returns its vectors.
 * <ul>
 *   <li>Avro {@code Sample} in single-object encoding (recognised by its {@code C3 01} marker);</li>
 *   <li>JSON {@code {"input":[0.05,0.1],"target":[0.01,0.99]}} (an optional {@code "id"} string is
 *       allowed), so that {@code kafka-console-producer} or kcat can feed the trainer.</li>
 * </ul>
 * JSON is read with Jackson's streaming parser straight into {@code double[]}, without a tree.
 * {@code NaN} and {@code Infinity} tokens are accepted here so that the trainer can reject them
 * with the precise reason {@code non-finite-value} rather than a parse error.
 */
public final class SampleCodec {

    /** Shared with {@link PredictRequestCodec}, which reads its {@code input} the same way. */
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // {"input":[1,2],"input":[3,4]} is a damaged record, not "the last one wins"
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Jackson's bundled FastDoubleParser: correctly rounded like Double.parseDouble (the same
            // bits, checked by SampleCodecTest), at a fraction of its cost
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /** The 8-byte CRC-64-AVRO fingerprint of {@code Sample}, little-endian, as it follows the {@code C3 01} marker. */
    private static final byte[] FINGERPRINT = fingerprint();

    private static final ThreadLocal<org.apache.avro.io.BinaryDecoder> DECODER = new ThreadLocal<>();

    private static byte[] fingerprint() {
        long fp = org.apache.avro.SchemaNormalization.parsingFingerprint64(Sample.getClassSchema());
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(fp).array();
    }

    private static boolean hasSampleFingerprint(byte[] bytes) {
        return bytes.length >= 10 && java.util.Arrays.equals(bytes, 2, 10, FINGERPRINT, 0, 8);
    }

    /**
     * Reads a {@code Sample} datum straight into {@code double[]} with Avro's {@link org.apache.avro.io.BinaryDecoder}:
     * the generated class would box every value (784 {@code Double}s for an MNIST-sized input).
     * The field order is the schema's: {@code input}, {@code target}, {@code id}.
     */
    private static Vectors decodeAvroDatum(byte[] bytes) {
        org.apache.avro.io.BinaryDecoder d = org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, DECODER.get());
        DECODER.set(d);
        try {
            double[] input = readDoubles(d, bytes.length);
            double[] target = readDoubles(d, bytes.length);
            int id = d.readIndex();
            if (id == 1) {
                d.skipString();
            } else if (id != 0) {
                throw new java.io.IOException("bad union index " + id + " for field id");
            }
            if (!d.isEnd()) {
                // a whole sample followed by more bytes is a damaged record, not a sample to train on
                throw new java.io.IOException("the sample is followed by trailing bytes");
            }
            return new Vectors(input, target);
        } catch (IOException | RuntimeException e) {
            throw new DecodingException("undecodable-avro", "bytes do not decode as Avro Sample: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /**
     * An Avro array of doubles, refusing a count that {@code recordBytes} could not hold (a corrupted length).
     *
     * <p>Avro writes a double as its 8 IEEE 754 bytes, little-endian, so a block of {@code k} doubles
     * is {@code 8k} bytes: they are read in one {@code readFixed} and converted by a little-endian
     * {@link java.nio.DoubleBuffer} view, bit for bit what {@code readDouble} gives one at a time, and
     * several times faster for a wide input (784 doubles: about 1 µs instead of 4).
     */
    static double[] readDoubles(org.apache.avro.io.BinaryDecoder d, int recordBytes) throws IOException {
        double[] values = new double[0];
        int n = 0;
        for (long block = d.readArrayStart(); block != 0; block = d.arrayNext()) {
            if (block < 0 || n + block > recordBytes / 8) {
                throw new java.io.EOFException("array of " + (n + block) + " doubles cannot fit in " + recordBytes + " bytes");
            }
            int k = (int) block;
            values = java.util.Arrays.copyOf(values, n + k);
            byte[] raw = scratch(8 * k);
            d.readFixed(raw, 0, 8 * k);
            java.nio.ByteBuffer.wrap(raw, 0, 8 * k).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values, n, k);
            n += k;
        }
        return values;
    }

    /** Per-thread bytes for {@link #readDoubles}, grown to the largest block seen (bounded by the record's size). */
    private static final ThreadLocal<byte[]> RAW = ThreadLocal.withInitial(() -> new byte[1024]);

    private static byte[] scratch(int bytes) {
        byte[] raw = RAW.get();
        if (raw.length < bytes) {
            raw = new byte[Math.max(bytes, 2 * raw.length)];
            RAW.set(raw);
        }
        return raw;
    }

    /** Per-thread record whose arrays Avro refills, so that decoding a sample allocates only the result. */
    private static final ThreadLocal<Sample> REUSE = new ThreadLocal<>();

    /** A decoded sample. */
    public record Vectors(double[] input, double[] target) {
    }

    private SampleCodec() {
    }

    /**
     * Decodes {@code bytes}.
     *
     * @throws DecodingException with reason {@code empty-value}, {@code unknown-schema},
     *         {@code undecodable-avro}, {@code malformed-json} or {@code wrong-json-shape}
     */
    public static Vectors decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new DecodingException("empty-value", "sample value is " + (bytes == null ? "null" : "empty"));
        }
        if (AvroSerde.isSingleObjectEncoded(bytes)) {
            if (hasSampleFingerprint(bytes)) {
                return decodeAvroDatum(bytes);
            }
            Sample s = Serdes.SAMPLE.decode(bytes, REUSE.get());
            REUSE.set(s);
            return new Vectors(toArray(s.getInput()), toArray(s.getTarget()));
        }
        return decodeJson(bytes);
    }

    /** The JSON form of a sample. */
    public static String toJson(double[] input, double[] target) {
        StringBuilder sb = new StringBuilder(32 + 24 * (input.length + target.length));
        sb.append("{\"input\":");
        appendArray(sb, input);
        sb.append(",\"target\":");
        appendArray(sb, target);
        return sb.append('}').toString();
    }

    /** The Avro single-object encoding of a sample. */
    public static byte[] toAvro(double[] input, double[] target) {
        return Serdes.SAMPLE.encode(new Sample(asList(input), asList(target), null));
    }

    private static Vectors decodeJson(byte[] bytes) {
        double[] input = null;
        double[] target = null;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodingException("wrong-json-shape", "sample must be a JSON object {\"input\":[..],\"target\":[..]}, got "
                        + describe(p.currentToken()));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "input" -> input = readArray(p, t, "sample", "input");
                    case "target" -> target = readArray(p, t, "sample", "target");
                    case "id" -> {
                        if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                            throw new DecodingException("wrong-json-shape", "sample field 'id' must be a string, got " + describe(t));
                        }
                    }
                    default -> throw new DecodingException("wrong-json-shape", "sample has unknown field '" + field
                            + "'; expected input, target and optionally id");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new DecodingException("malformed-json", "sample JSON is not a complete object");
            }
            if (p.nextToken() != null) {
                throw new DecodingException("malformed-json", "sample JSON has trailing content after the object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DecodingException("malformed-json", "sample is neither Avro nor valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodingException("malformed-json", "sample could not be read: " + e.getMessage(), e);
        }
        if (input == null || target == null) {
            throw new DecodingException("wrong-json-shape", "sample JSON needs both 'input' and 'target' arrays, missing "
                    + (input == null ? "'input'" : "'target'"));
        }
        return new Vectors(input, target);
    }

    /**
     * The JSON array of numbers that starts at {@code start}, straight into {@code double[]}.
     *
     * @param record what the array belongs to, for messages: {@code sample}, {@code predict request}
     */
    static double[] readArray(JsonParser p, JsonToken start, String record, String field) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw new DecodingException("wrong-json-shape", record + " field '" + field + "' must be an array of numbers, got " + describe(start));
        }
        double[] values = new double[8];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                throw new DecodingException("wrong-json-shape", record + " field '" + field + "'[" + n + "] must be a number, got " + describe(t));
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = p.getDoubleValue();
        }
        return n == values.length ? values : java.util.Arrays.copyOf(values, n);
    }

    /** A token as a message names it: "a string", "an array", "nothing". */
    static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    static double[] toArray(List<Double> list) {
        double[] a = new double[list.size()];
        for (int i = 0; i < a.length; i++) {
            Double d = list.get(i);
            a[i] = d;
        }
        return a;
    }

    static List<Double> asList(double[] values) {
        Double[] boxed = new Double[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return java.util.Arrays.asList(boxed);
    }

    static void appendArray(StringBuilder sb, double[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        sb.append(']');
    }
}
