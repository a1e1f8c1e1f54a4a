package io.backpropstreams.topology;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.nn.NetworkCodec;
import io.backpropstreams.schema.DriftDetection;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift detection in the trainer: each detection is one record on the drift topic, the model's
 * state (detector included) goes on exactly as the in-process core and watch, and {@code onDrift}
 * resets the optimizer or re-initialises the weights.
 */
class DriftTopologyTest {

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> samples;
    TestInputTopic<String, byte[]> models;
    TestOutputTopic<String, DriftDetection> drift;

    @BeforeEach
    void start() {
        Properties props = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainerTopology.build(TopicNames.DEFAULTS, 1), props);
        samples = driver.createInputTopic("samples", new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic("models", new StringSerializer(), new ByteArraySerializer());
        drift = driver.createOutputTopic("drift", new StringDeserializer(), Serdes.DRIFT_DETECTION.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void pageHinkleyResettingTheOptimizerDetectsTheFlipAndTheModelEndsAsTheCore() {
        assertDetectsAsTheCore("ph", ConceptFlip.spec("page-hinkley", "reset-optimizer", 3), "page-hinkley", 31);
    }

    @Test
    void adwinReinitialisingDetectsTheFlipAndTheModelEndsAsTheCore() {
        assertDetectsAsTheCore("adw", ConceptFlip.spec("adwin", "reinitialize", 4), "adwin", 37);
    }

    private void assertDetectsAsTheCore(String id, String spec, String detector, long seed) {
        models.pipeInput(id, spec.getBytes(StandardCharsets.UTF_8));
        List<double[][]> stream = ConceptFlip.samples(seed);
        for (double[][] s : stream) {
            samples.pipeInput(id, SampleCodec.toJson(s[0], s[1]).getBytes(StandardCharsets.UTF_8));
        }
        ModelState[] core = new ModelState[1];
        List<Long> expected = ConceptFlip.replay(spec, stream, core);
        List<DriftDetection> got = drift.readValuesToList();
        assertEquals(expected, got.stream().map(DriftDetection::getStep).toList(), "the trainer detects where the core does");
        long before = expected.stream().filter(s -> s <= ConceptFlip.SWITCH).count();
        assertTrue(before <= 1, "at most one false alarm in the " + ConceptFlip.SWITCH + " stable steps, got " + expected);
        assertTrue(expected.stream().anyMatch(s -> s > ConceptFlip.SWITCH && s <= ConceptFlip.SWITCH + 500),
                "a detection within 500 steps of the switch, got " + expected);
        DriftDetection first = got.stream().filter(d -> d.getStep() > ConceptFlip.SWITCH).findFirst().orElseThrow();
        assertEquals(id, first.getModelId());
        assertEquals(detector, first.getDetector());
        assertTrue(first.getStatistic() > 0, "the statistic that crossed the bound is reported");
        KeyValueStore<String, ModelState> store = driver.getKeyValueStore(TrainerTopology.STORE);
        ModelState stored = store.get(id);
        assertArrayEquals(NetworkCodec.encode(core[0].network()), NetworkCodec.encode(stored.network()),
                "weights, optimizer state and step bit for bit as the core's");
        assertArrayEquals(core[0].drift().detector().encode(), stored.drift().detector().encode(), "the detector's state too");
        long lastDetection = expected.get(expected.size() - 1);
        assertEquals(ConceptFlip.SAMPLES - lastDetection, stored.network().optimizerStep(), "the optimizer restarted at the last detection");
    }
}
