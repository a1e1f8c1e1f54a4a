package io.backpropstreams.kafka;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationTest {

    @Test
    void choosesMinOfThreeAndTheBrokersWithOneReplicaAllowedToBeDown() {
        assertEquals(new Replication(1, 1), Replication.forCluster(1, null));
        assertEquals(new Replication(2, 1), Replication.forCluster(2, null));
        assertEquals(new Replication(3, 2), Replication.forCluster(3, null));
        assertEquals(new Replication(3, 2), Replication.forCluster(7, null));
        assertEquals(new Replication(3, 2), Replication.forCluster(3, -1), "Kafka Streams' -1 means the broker default: we choose");
    }

    @Test
    void keepsTheUsersFactorAndRefusesOneTheClusterCannotHold() {
        assertEquals(new Replication(1, 1), Replication.forCluster(3, 1));
        assertEquals(new Replication(5, 2), Replication.forCluster(5, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Replication.forCluster(1, 3));
        assertTrue(e.getMessage().contains("replication.factor 3 needs at least 3 brokers, but the cluster has 1"), e.getMessage());
    }
}
