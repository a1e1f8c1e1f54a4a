package io.backpropstreams.bench;

import io.backpropstreams.client.UserException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Times an application from outside, by the input offsets its consumer group has committed. Under
 * exactly-once an offset is committed in the same transaction as the outputs of the records before
 * it, so the committed offset is the number of samples whose results a {@code read_committed}
 * reader can see. Reading the group's offsets costs one small admin request per poll, so the
 * measurement adds no per-record load to the broker or the application (reading an output topic
 * would double the fetch traffic of the application under test).
 */
final class CommittedProgress {

    /** How often the offsets are read. */
    static final Duration POLL = Duration.ofMillis(25);

    /** What a timed run measured: records from the first commit to the last, and the time between. */
    record Result(long records, double seconds) {
        double perSecond() {
            return records / seconds;
        }
    }

    private CommittedProgress() {
    }

    /**
     * Waits until {@code group} has committed {@code expected} offsets in total on {@code topic}.
     *
     * @param alive    checked at every poll; throws if the application died
     * @param progress sees the committed count
     */
    static Result await(Admin admin, String group, String topic, long expected, Duration timeout, Runnable alive,
                        LongConsumer progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long first = -1;
        long firstNanos = 0;
        long last = 0;
        long lastNanos = 0;
        while (last < expected) {
            if (System.nanoTime() > deadline) {
                throw new UserException("timed out after " + timeout.toSeconds() + " s: group '" + group + "' committed " + last
                        + " of " + expected + " samples on '" + topic + "'");
            }
            alive.run();
            long committed = committed(admin, group, topic);
            long now = System.nanoTime();
            if (committed > last) {
                if (first < 0) {
                    first = committed;
                    firstNanos = now;
                }
                last = committed;
                lastNanos = now;
                progress.accept(committed);
            }
            Thread.sleep(POLL.toMillis());
        }
        return new Result(last - first, Math.max(1e-9, (lastNanos - firstNanos) / 1e9));
    }

    /** The sum of the group's committed offsets on the topic's partitions; 0 before its first commit. */
    static long committed(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            long sum = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }
}
