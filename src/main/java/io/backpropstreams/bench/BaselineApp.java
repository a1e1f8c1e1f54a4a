package io.backpropstreams.bench;

import io.backpropstreams.avro.OutputEncoder;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Classification;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.topology.BaselineTopology;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.ModelStateSerde;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

import java.time.Duration;
import java.util.Properties;

/**
 * The no-math baseline as an application of its own, configured like {@code run} (the same Kafka
 * Streams defaults: exactly-once v2, commit interval, producer settings) and started the same way,
 * in its own JVM, so that {@code bench} compares like with like. It runs
 * {@link BaselineTopology} with the record sizes of the lecture model: its stored state, a
 * metric and a weights update.
 */
public final class BaselineApp implements AutoCloseable {

    private final KafkaStreams streams;

    private BaselineApp(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Creates its topics as {@code run} would, starts, and waits for RUNNING. */
    public static BaselineApp start(Properties config, int partitions, Duration timeout) throws InterruptedException {
        Properties props = TrainerTopology.streamsConfig(config, null);
        TopicNames topics = TopicNames.from(props);
        Topics.createIfMissing(ClientConfigs.forClient(props, AdminClientConfig.configNames()), Trainer.topicSpecs(topics, partitions));
        KafkaStreams streams = new KafkaStreams(topologyFor(topics, Lecture.MODEL_ID, Lecture.network(), 1, Lecture.TARGET), props);
        streams.start();
        try {
            new Trainer.RunningWait(streams).await(timeout);
        } catch (RuntimeException | InterruptedException e) {
            streams.close(Duration.ofSeconds(30));
            throw e;
        }
        return new BaselineApp(streams);
    }

    /**
     * {@link BaselineTopology} with the sizes of the records the trainer writes for this model: its
     * stored state, the metric of a sample with this target, and a weights update every
     * {@code publishEvery} steps.
     */
    static Topology topologyFor(TopicNames topics, String modelId, Network network, int publishEvery, double[] target) {
        int valueBytes = ModelStateSerde.encode(new ModelState(network, publishEvery, 0.1)).length;
        double[] output = new double[target.length];
        OutputEncoder encoder = new OutputEncoder();
        int metricBytes = encoder.trainingMetric(modelId, 1, 0.1, output, target, 0.1, System.currentTimeMillis(),
                Classification.correct(output, target)).length;
        int weightsBytes = encoder.weightsUpdate(modelId, "step", network, 0, 0, 0).length;
        return BaselineTopology.build(topics, valueBytes, metricBytes, weightsBytes, publishEvery);
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
