package io.backpropstreams.bench;

import io.backpropstreams.client.Clients;
import io.backpropstreams.client.UserException;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Runs a topology until a given number of committed records has appeared on one of its output
 * topics, and times it: from the first committed output to the last, so that start-up and the
 * first rebalance are not counted, and only what a read_committed reader can see counts. A run so
 * short that one commit made every record visible at once cannot be timed, and fails saying so.
 */
public final class StreamsRun {

    /**
     * What a timed run measured, with the stream thread's own view from Kafka Streams' thread
     * metrics (averages over their sample window, about the last minute).
     *
     * @param processMsPerRecord {@code process-latency-avg}: the thread's time per record processed, sinks included
     * @param commitMs           {@code commit-latency-avg}: one commit (flush, changelog, transaction)
     */
    record Result(long records, double seconds, long commits, double processMsPerRecord, double commitMs) {
        double perSecond() {
            return records / seconds;
        }
    }

    private StreamsRun() {
    }

    /**
     * @param expected committed records on {@code outputTopic} that end the run
     * @param progress sees the count after each poll
     */
    static Result run(Properties config, Topology topology, String outputTopic, long expected, Duration timeout,
                      Consumer<Long> progress) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.assignAll(consumer, outputTopic, false);
            KafkaStreams streams = new KafkaStreams(topology, config);
            try {
                streams.start();
                long deadline = System.nanoTime() + timeout.toNanos();
                long count = 0;
                long firstCount = -1;
                long firstNanos = 0;
                long lastNanos = 0;
                while (count < expected) {
                    if (System.nanoTime() > deadline) {
                        throw new UserException("timed out after " + timeout.toSeconds() + " s with " + count + " of " + expected
                                + " records on '" + outputTopic + "' (state " + streams.state() + ")");
                    }
                    int n = consumer.poll(Duration.ofMillis(50)).count();
                    if (n > 0) {
                        count += n;
                        lastNanos = System.nanoTime();
                        if (firstCount < 0) {
                            firstCount = count;
                            firstNanos = lastNanos;
                        }
                        progress.accept(count);
                    }
                }
                if (count == firstCount) {
                    // one transaction made every record visible at once: there is no interval to time, and 0/s would be a false figure
                    throw new UserException("all " + count + " records on '" + outputTopic + "' became visible in one poll (one commit),"
                            + " so the run cannot be timed; give it more samples");
                }
                long commits = (long) metric(streams, "commit-total", "stream-thread-metrics");
                double seconds = Math.max(1e-9, (lastNanos - firstNanos) / 1e9);
                return new Result(count - firstCount, seconds, commits, metric(streams, "process-latency-avg", "stream-thread-metrics"),
                        metric(streams, "commit-latency-avg", "stream-thread-metrics"));
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    /** Committed records of a topic, counted by reading it (transaction markers take offsets but are not records). */
    static long countRecords(Properties config, String topic, Duration timeout) {
        long[] count = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.readToEnd(consumer, topic, timeout, r -> count[0]++);
        }
        return count[0];
    }

    /** Sum of a Kafka Streams metric over all its instances (e.g. threads). */
    static double metric(KafkaStreams streams, String name, String group) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(group) && e.getValue().metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }
}
