package io.backpropstreams.kafka;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ports and ids that separately started nodes of one local cluster must agree on. */
class KafkaNodeLayoutTest {

    private final KafkaNodeLayout three = new KafkaNodeLayout(9092, 3);

    @Test
    void clientPortsComeFirstThenControllerPorts() {
        assertEquals(9092, three.clientPort(1));
        assertEquals(9094, three.clientPort(3));
        assertEquals(9095, three.controllerPort(1));
        assertEquals(9097, three.controllerPort(3));
        assertEquals("1@127.0.0.1:9095,2@127.0.0.1:9096,3@127.0.0.1:9097", three.quorumVoters());
        assertEquals("127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094", three.bootstrapServers());
    }

    @Test
    void everyNodeDerivesTheSameValidClusterIdAndAnotherLayoutAnother() {
        assertEquals(three.clusterId(), new KafkaNodeLayout(9092, 3).clusterId());
        assertEquals(three.clusterId(), Uuid.fromString(three.clusterId()).toString());
        assertNotEquals(three.clusterId(), new KafkaNodeLayout(19092, 3).clusterId());
        assertNotEquals(three.clusterId(), new KafkaNodeLayout(9092, 5).clusterId());
    }

    @Test
    void refusesNodesThatDoNotExistOrPortsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> three.clientPort(0));
        assertThrows(IllegalArgumentException.class, () -> three.controllerPort(4));
        assertThrows(IllegalArgumentException.class, () -> new KafkaNodeLayout(65_533, 3));
        assertThrows(IllegalArgumentException.class, () -> new KafkaNodeLayout(9092, 10));
    }
}
