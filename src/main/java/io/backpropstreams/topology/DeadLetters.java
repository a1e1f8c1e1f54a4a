package io.backpropstreams.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Headers of a dead letter. The record keeps the original key and value bytes (and the original
 * headers); these headers say why it was rejected and where it came from. The names follow
 * Kafka Streams' own dead-letter convention (KIP-1034, {@code __streams.errors.*}), plus a short
 * machine-readable reason code.
 */
public final class DeadLetters {

    /** Stable reason code, e.g. {@code wrong-input-length}. */
    public static final String REASON = "bps.reason";

    /**
     * Every {@code bps.reason} the trainer writes, so that monitors can export each at 0 before the
     * first dead letter; {@code unknown} stands for a dead letter without one (Kafka Streams' own).
     */
    public static final java.util.List<String> REASONS = java.util.List.of("empty-value", "empty-vector", "internal-error",
            "invalid-model-id", "invalid-request-id", "invalid-spec", "malformed-json", "missing-key", "non-finite-output", "non-finite-step", "non-finite-value",
            "undecodable-avro", "unknown-model", "unknown-schema", "unreadable-model", "wrong-input-length", "wrong-json-shape",
            "wrong-target-length", "unknown");
    /** Kafka Streams convention: the exception class or error kind. */
    public static final String EXCEPTION = "__streams.errors.exception";
    /** Kafka Streams convention: human-readable detail. */
    public static final String MESSAGE = "__streams.errors.message";
    /** Kafka Streams convention: source topic. */
    public static final String TOPIC = "__streams.errors.topic";
    /** Kafka Streams convention: source partition. */
    public static final String PARTITION = "__streams.errors.partition";
    /** Kafka Streams convention: source offset. */
    public static final String OFFSET = "__streams.errors.offset";

    private DeadLetters() {
    }

    /** Copies {@code original} and adds the reason and origin headers. */
    public static Headers headers(Headers original, String reason, String exception, String message,
                                  String topic, int partition, long offset) {
        RecordHeaders h = new RecordHeaders(original == null ? new org.apache.kafka.common.header.Header[0] : original.toArray());
        h.add(REASON, utf8(reason));
        h.add(EXCEPTION, utf8(exception));
        h.add(MESSAGE, utf8(message));
        h.add(TOPIC, utf8(topic));
        h.add(PARTITION, utf8(Integer.toString(partition)));
        h.add(OFFSET, utf8(Long.toString(offset)));
        return h;
    }

    /** The value of header {@code name} as text, or null. */
    public static String header(Headers headers, String name) {
        org.apache.kafka.common.header.Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
