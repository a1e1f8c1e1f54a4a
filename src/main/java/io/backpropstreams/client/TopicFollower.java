package io.backpropstreams.client;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Follows one topic by assignment (read_committed), handing each record to a handler until a
 * stop condition: a record limit, a quiet period, or a stop request.
 */
public final class TopicFollower {

    private final Properties config;
    private final String topic;

    /** @param config client properties, {@code bootstrap.servers} included */
    public TopicFollower(Properties config, String topic) {
        this.config = config;
        this.topic = topic;
    }

    /**
     * Reads until {@code max} records were accepted, {@code idleTimeout} passed without a record,
     * or {@code stop} holds.
     *
     * @param fromBeginning start at the oldest record instead of the current end
     * @param max           accepted records that end the read (0 = no limit)
     * @param idleTimeout   quiet time that ends the read (zero = follow forever)
     * @param handler       sees each record; returns true if it counts towards {@code max}
     * @param afterPoll     runs after each non-empty poll (to flush output)
     * @return the records accepted
     * @throws UserException if the topic does not exist or the cluster does not answer
     */
    public long follow(boolean fromBeginning, long max, Duration idleTimeout, BooleanSupplier stop,
                       Predicate<ConsumerRecord<byte[], byte[]>> handler, Runnable afterPoll) {
        long accepted = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.assignAll(consumer, topic, fromBeginning);
            long lastRecord = System.nanoTime();
            while (!stop.getAsBoolean() && (max == 0 || accepted < max)) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (!idleTimeout.isZero() && System.nanoTime() - lastRecord > idleTimeout.toNanos()) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (handler.test(r)) {
                        accepted++;
                        if (max > 0 && accepted >= max) {
                            break;
                        }
                    }
                }
                afterPoll.run();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.interrupted();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new UserException("no Kafka cluster answered at " + config.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    + ": " + e.getMessage(), e);
        }
        return accepted;
    }
}
