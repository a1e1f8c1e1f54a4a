package io.backpropstreams.client;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Reads the trainer's weights and metrics topics (read_committed) from the positions they had
 * when it was created, and keeps per model: the parameters at chosen steps, the last step seen,
 * the create/reset events, and the prequential loss of every step.
 */
public final class OutputCollector implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicNames topics;
    private final Set<Long> keepSteps;
    private final Map<String, Map<Long, double[]>> parameters = new HashMap<>();
    private final Map<String, Long> lastWeightsStep = new HashMap<>();
    private final Map<String, Integer> events = new HashMap<>();
    private final Map<String, List<Double>> losses = new HashMap<>();
    private long metricCount;

    /**
     * Positions itself at the current end of both topics.
     *
     * @param keepSteps steps whose parameters are kept (step 0 = the create/reset event)
     */
    public OutputCollector(Properties config, Set<Long> keepSteps) {
        this.consumer = Clients.consumer(config);
        this.topics = TopicNames.from(config);
        this.keepSteps = keepSteps;
        Clients.assignAll(consumer, false, List.of(topics.weights(), topics.metrics()));
    }

    /** Polls until {@code done} holds, failing after {@code timeout}; {@code progress} sees each poll. */
    public void pollUntil(BooleanSupplier done, Duration timeout, Runnable progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new UserException("timed out after " + timeout.toSeconds() + " s waiting for the trainer's output (metrics so far: "
                        + metricCount + ", last weights steps: " + lastWeightsStep + ")");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.value() == null) {
                    continue;
                }
                if (r.topic().equals(topics.weights())) {
                    onWeights(Serdes.WEIGHTS_UPDATE.decode(r.value()));
                } else {
                    onMetric(Serdes.TRAINING_METRIC.decode(r.value()));
                }
            }
            progress.run();
        }
    }

    private void onWeights(WeightsUpdate u) {
        String id = u.getModelId();
        if (!"step".equals(u.getEvent())) {
            events.merge(id, 1, Integer::sum);
            parameters.computeIfAbsent(id, k -> new HashMap<>()).clear();
            losses.remove(id);
        }
        lastWeightsStep.put(id, u.getStep());
        if (keepSteps.contains(u.getStep())) {
            parameters.computeIfAbsent(id, k -> new HashMap<>()).put(u.getStep(), WeightsUpdates.parameters(u));
        }
    }

    private void onMetric(TrainingMetric m) {
        metricCount++;
        List<Double> l = losses.computeIfAbsent(m.getModelId(), k -> new ArrayList<>());
        if (m.getStep() != l.size() + 1) {
            throw new IllegalStateException("model '" + m.getModelId() + "' metric step " + m.getStep() + " after " + l.size()
                    + " steps: a gap or a duplicate");
        }
        l.add(m.getLoss());
    }

    /** Create/reset events seen for {@code model}. */
    public int events(String model) {
        return events.getOrDefault(model, 0);
    }

    /** The step of the last weights record of {@code model}, or -1. */
    public long lastWeightsStep(String model) {
        return lastWeightsStep.getOrDefault(model, -1L);
    }

    /** Metrics records read so far, all models. */
    public long metricCount() {
        return metricCount;
    }

    /** The kept parameter snapshots of {@code model}, by step. */
    public Map<Long, double[]> parameters(String model) {
        return parameters.getOrDefault(model, Map.of());
    }

    /** The prequential loss of each step of {@code model}, step 1 first. */
    public double[] losses(String model) {
        return losses.getOrDefault(model, List.of()).stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
