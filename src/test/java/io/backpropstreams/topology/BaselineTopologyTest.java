package io.backpropstreams.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The no-math baseline writes what the trainer writes for a model with the same {@code publishEvery}:
 * a metric per sample, a weights update each time that model's own step is a multiple of it.
 */
class BaselineTopologyTest {

    @TempDir
    Path stateDir;

    @Test
    void eachModelPublishesEveryPublishEveryOfItsOwnStepsWithRecordsOfTheGivenSizes() {
        Properties props = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(BaselineTopology.build(TopicNames.DEFAULTS, 64, 30, 500, 1000), props)) {
            TestInputTopic<String, byte[]> samples = driver.createInputTopic("samples", new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> metrics = driver.createOutputTopic("metrics", new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> weights = driver.createOutputTopic("weights", new StringDeserializer(), new ByteArrayDeserializer());
            // two models interleaved: 2,500 samples of a, 1,500 of b
            for (int i = 0; i < 4_000; i++) {
                samples.pipeInput(i % 8 < 5 ? "a" : "b", new byte[6_000]);
            }
            List<byte[]> m = metrics.readValuesToList();
            assertEquals(4_000, m.size(), "a metric per sample");
            assertEquals(30, m.get(0).length);
            List<String> published = weights.readKeyValuesToList().stream().map(kv -> kv.key).toList();
            assertEquals(List.of("a", "b", "a"), published, "a at its steps 1,000 and 2,000; b at its 1,000");
            KeyValueStore<String, byte[]> store = driver.getKeyValueStore(BaselineTopology.STORE);
            assertEquals(2_500, ByteBuffer.wrap(store.get("a")).getLong(0), "a's step, stored");
            assertEquals(1_500, ByteBuffer.wrap(store.get("b")).getLong(0), "b's step, stored");
            assertEquals(64, store.get("a").length, "a value of the model's size");
        }
    }

    @Test
    void aValueTooSmallToHoldTheStepOrAPublishEveryBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BaselineTopology.build(TopicNames.DEFAULTS, 7, 30, 500, 1));
        assertThrows(IllegalArgumentException.class, () -> BaselineTopology.build(TopicNames.DEFAULTS, 64, 30, 500, 0));
    }
}
