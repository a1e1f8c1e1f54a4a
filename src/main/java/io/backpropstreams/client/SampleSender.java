package io.backpropstreams.client;

import io.backpropstreams.avro.SampleCodec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends samples of one model to the samples topic, optionally paced to a fixed rate, and
 * reports the first send failure instead of losing it in a callback.
 */
public final class SampleSender implements AutoCloseable {

    /** How a sample is written: Avro single-object encoding or JSON. */
    public enum Encoding { AVRO, JSON;

        /** Parses {@code avro|json}. */
        public static Encoding parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Encoding encoding;
    private final double rate;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final long start = System.nanoTime();
    private long sent;

    /**
     * @param rate samples per second, or 0 for as fast as possible
     */
    public SampleSender(Properties config, String topic, Encoding encoding, double rate) {
        this.producer = Clients.producer(config);
        this.topic = topic;
        this.encoding = encoding;
        this.rate = rate;
    }

    /** Encodes one sample once, for sending many times. */
    public byte[] encode(double[] input, double[] target) {
        return encoding == Encoding.AVRO ? SampleCodec.toAvro(input, target)
                : SampleCodec.toJson(input, target).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Sends an encoded sample keyed by {@code model}, waiting first if a rate is set. */
    public void send(String model, byte[] value) throws InterruptedException {
        throwIfFailed();
        if (rate > 0) {
            long due = start + (long) (sent * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        sent++;
        producer.send(new ProducerRecord<>(topic, model, value), (md, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                acked.incrementAndGet();
            }
        });
    }

    /** Samples handed to the producer so far. */
    public long sent() {
        return sent;
    }

    /** Waits until every sample is acknowledged. */
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new UserException("sending to topic '" + topic + "' failed after " + acked.get() + " samples: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(30));
    }
}
