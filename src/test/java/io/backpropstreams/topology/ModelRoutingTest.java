package io.backpropstreams.topology;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records on a partition other than their model's (TopologyTestDriver puts every input record on
 * partition 0 of a 4-partition topology) pass through the rerouted topic and train exactly as
 * records on the right partition do; their outputs name where they were first read.
 */
class ModelRoutingTest {

    static final int PARTITIONS = 4;

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> samples;
    TestInputTopic<String, byte[]> models;
    TestOutputTopic<String, WeightsUpdate> weights;
    TestOutputTopic<String, TrainingMetric> metrics;
    TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        Properties props = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainerTopology.build(TopicNames.DEFAULTS, PARTITIONS), props);
        samples = driver.createInputTopic("samples", new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic("models", new StringSerializer(), new ByteArraySerializer());
        weights = driver.createOutputTopic("weights", new StringDeserializer(), Serdes.WEIGHTS_UPDATE.deserializer());
        metrics = driver.createOutputTopic("metrics", new StringDeserializer(), Serdes.TRAINING_METRIC.deserializer());
        deadLetters = driver.createOutputTopic("dead-letters", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** The first id {@code prefix0}, {@code prefix1}, … whose partition is ({@code direct}) or is not 0. */
    static String idOnPartitionZero(String prefix, boolean direct) {
        for (int i = 0; ; i++) {
            String id = prefix + i;
            boolean zero = ModelPartitioner.partitionOf(id.getBytes(StandardCharsets.UTF_8), PARTITIONS) == 0;
            if (zero == direct) {
                return id;
            }
        }
    }

    static byte[] spec() {
        return ("{\"layers\":[2,2,2],\"init\":\"lecture\",\"learningRate\":0.5,\"trainBiases\":false}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void modelPartitionIsTheJavaProducersMurmur2() {
        // the Java producer's BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % n
        byte[] key = "hidden1".getBytes(StandardCharsets.UTF_8);
        assertEquals(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % PARTITIONS,
                ModelPartitioner.partitionOf(key, PARTITIONS));
    }

    @Test
    void reroutedAndDirectModelsTrainBitForBitLikeTheCore() {
        String direct = idOnPartitionZero("direct-", true);
        String rerouted = idOnPartitionZero("rerouted-", false);
        models.pipeInput(direct, spec());
        models.pipeInput(rerouted, spec());
        Network core = Lecture.network();
        List<Double> coreLoss = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            coreLoss.add(core.step(Lecture.INPUT, Lecture.TARGET));
            samples.pipeInput(direct, SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
            samples.pipeInput(rerouted, SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        }
        var store = driver.<String, ModelState>getKeyValueStore(TrainerTopology.STORE);
        for (String id : List.of(direct, rerouted)) {
            assertEquals(500, store.get(id).network().step(), id);
            assertArrayEquals(core.parameters(), store.get(id).network().parameters(), id + " bit-identical to the core");
        }
        List<TrainingMetric> ms = metrics.readValuesToList();
        assertEquals(1000, ms.size());
        for (String id : List.of(direct, rerouted)) {
            List<Double> losses = ms.stream().filter(m -> m.getModelId().equals(id)).map(TrainingMetric::getLoss).toList();
            assertEquals(coreLoss, losses, id + ": the same losses in the same order");
        }
        assertTrue(deadLetters.isEmpty(), "no dead letter");
        assertTrue(driver.producedTopicNames().contains(TrainerTopology.DEFAULT_APPLICATION_ID + "-rerouted-repartition"),
                "the misrouted records passed through the rerouted topic: " + driver.producedTopicNames());
        List<WeightsUpdate> ws = weights.readValuesToList();
        WeightsUpdate lastRerouted = ws.stream().filter(w -> w.getModelId().equals(rerouted)).reduce((a, b) -> b).orElseThrow();
        assertEquals(500, lastRerouted.getStep());
        assertEquals(0, lastRerouted.getSourcePartition(), "the partition the sample was produced to, not the rerouted topic's");
        assertEquals(999, lastRerouted.getSourceOffset(), "its offset on 'samples'");
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(lastRerouted));
    }

    @Test
    void reroutedTombstoneDeletesTheModel() {
        String rerouted = idOnPartitionZero("gone-", false);
        models.pipeInput(rerouted, spec());
        samples.pipeInput(rerouted, SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        models.pipeInput(rerouted, (byte[]) null);
        assertNull(driver.<String, ModelState>getKeyValueStore(TrainerTopology.STORE).get(rerouted));
        List<TestRecord<String, WeightsUpdate>> ws = weights.readRecordsToList();
        assertNull(ws.get(ws.size() - 1).value(), "the delete is published as a tombstone");
    }

    @Test
    void unknownModelDeadLetterNamesTheModelAndItsOrigin() {
        String rerouted = idOnPartitionZero("nosuch-", false);
        byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
        samples.pipeInput(rerouted, sample);
        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertEquals("unknown-model", DeadLetters.header(dl.headers(), DeadLetters.REASON));
        String message = DeadLetters.header(dl.headers(), DeadLetters.MESSAGE);
        assertTrue(message.contains("'" + rerouted + "'") && message.contains("partition 0 of 'samples'"), message);
        assertEquals("samples", DeadLetters.header(dl.headers(), DeadLetters.TOPIC));
        assertEquals("0", DeadLetters.header(dl.headers(), DeadLetters.PARTITION));
        assertEquals("0", DeadLetters.header(dl.headers(), DeadLetters.OFFSET));
        assertNull(dl.headers().lastHeader("bps.origin.topic"), "routing headers are not left on the dead letter");
        assertArrayEquals(sample, dl.value(), "the original bytes");
    }
}
