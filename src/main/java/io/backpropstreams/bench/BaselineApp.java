package io.backpropstreams.bench;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.topology.BaselineTopology;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.ModelStateSerde;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
        Network lecture = Lecture.network();
        int valueBytes = ModelStateSerde.encode(new ModelState(lecture, 1, 0.1)).length;
        int metricBytes = Serdes.TRAINING_METRIC.encode(TrainingMetric.newBuilder().setModelId(Lecture.MODEL_ID).setStep(1)
                .setLoss(0.1).setOutput(List.of(0.1, 0.9)).setTarget(List.of(0.01, 0.99)).setLossEma(0.1)
                .setTimestamp(Instant.now()).build()).length;
        int weightsBytes = Serdes.WEIGHTS_UPDATE.encode(WeightsUpdates.of(Lecture.MODEL_ID, "step", lecture, 0, 0, 0)).length;
        KafkaStreams streams = new KafkaStreams(BaselineTopology.build(topics, valueBytes, metricBytes, weightsBytes), props);
        streams.start();
        try {
            new Trainer.RunningWait(streams).await(timeout);
        } catch (RuntimeException | InterruptedException e) {
            streams.close(Duration.ofSeconds(30));
            throw e;
        }
        return new BaselineApp(streams);
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
