package io.backpropstreams.client;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.Prediction;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Asks the trainer for one prediction through Kafka, as {@code predict} does: one request on
 * {@code predict-requests}, then the answer read back (read_committed) from {@code predictions},
 * matched by model id and request id, or, if the trainer refused the request, its dead letter,
 * matched by key and the request's very bytes.
 *
 * <p>Both topics are read from their end as it was <em>before</em> the request was sent, so the
 * answer cannot be missed and an earlier answer with the same request id is never taken for it.
 * A principal that may not read {@code dead-letters} (the producer's ACLs do not grant it) still
 * gets its prediction; a refused request then ends in the timeout, which says where to look.
 */
public final class PredictionClient {

    /** What came back for a request. */
    public sealed interface Answer permits Answered, Refused {
    }

    /** The prediction, and the record it came in (for printing with its timestamp). */
    public record Answered(Prediction prediction, ConsumerRecord<byte[], byte[]> record) implements Answer {
    }

    /** The trainer dead-lettered the request: its {@code bps.reason} and message. */
    public record Refused(String reason, String message) implements Answer {
    }

    private final Properties config;
    private final TopicNames topics;

    /** @param config client properties, {@code bootstrap.servers} and any {@code bps.topic.*} included */
    public PredictionClient(Properties config) {
        this.config = config;
        this.topics = TopicNames.from(config);
    }

    /** The topic requests go to. */
    public String requestTopic() {
        return topics.predictRequests();
    }

    /**
     * Sends {@code request} (an encoded {@code PredictRequest} carrying {@code requestId}) for
     * {@code model} and waits at most {@code timeout} for its answer.
     *
     * @throws UserException if no answer came in time, or a topic is missing
     */
    public Answer ask(String model, String requestId, byte[] request, Duration timeout) {
        Objects.requireNonNull(requestId, "requestId");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            boolean deadLetters = assignAtEnd(consumer);
            send(model, request, deadline);
            byte[] key = model.getBytes(StandardCharsets.UTF_8);
            while (System.nanoTime() < deadline) {
                Iterable<ConsumerRecord<byte[], byte[]>> records;
                try {
                    records = consumer.poll(Duration.ofMillis(Math.max(1, Math.min(200, remainingMs(deadline)))));
                } catch (AuthorizationException e) {
                    if (!deadLetters) {
                        throw e;
                    }
                    // DESCRIBE but no READ on dead-letters: go on with the predictions alone
                    deadLetters = false;
                    consumer.assign(consumer.assignment().stream().filter(tp -> tp.topic().equals(topics.predictions())).toList());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (!Arrays.equals(key, r.key()) || r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(topics.predictions())) {
                        Prediction p = Serdes.PREDICTION.decode(r.value());
                        if (requestId.equals(p.getRequestId())) {
                            return new Answered(p, r);
                        }
                    } else if (Arrays.equals(request, r.value())) {
                        return new Refused(DeadLetters.header(r.headers(), DeadLetters.REASON), DeadLetters.header(r.headers(), DeadLetters.MESSAGE));
                    }
                }
            }
        }
        throw new UserException("no prediction for request '" + requestId + "' of model '" + model + "' on topic '" + topics.predictions()
                + "' within " + timeout.toSeconds() + " s: is the trainer running (backprop-streams run)?"
                + " A refused request is in topic '" + topics.deadLetters() + "' (backprop-streams watch dead-letters --model " + model + ")");
    }

    /**
     * Assigns every partition of {@code predictions} and, if this principal may read it,
     * {@code dead-letters}, positioned at their current end.
     *
     * @return whether dead letters are read
     */
    private boolean assignAtEnd(KafkaConsumer<byte[], byte[]> consumer) {
        try {
            Clients.assignAll(consumer, false, List.of(topics.predictions(), topics.deadLetters()));
            return true;
        } catch (AuthorizationException e) {
            Clients.assignAll(consumer, false, List.of(topics.predictions()));
            return false;
        }
    }

    private void send(String model, byte[] request, long deadline) {
        try (KafkaProducer<String, byte[]> producer = Clients.producer(config)) {
            producer.send(new ProducerRecord<>(topics.predictRequests(), model, request)).get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new UserException("could not send the request to topic '" + topics.predictRequests() + "': " + cause.getMessage(), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UserException("the request to topic '" + topics.predictRequests() + "' was not acknowledged in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while sending the request", e);
        }
    }

    private static long remainingMs(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
