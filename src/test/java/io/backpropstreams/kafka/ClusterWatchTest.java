package io.backpropstreams.kafka;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lines an operator reads when the cluster goes away and comes back, fed probe verdicts by hand. */
class ClusterWatchTest {

    private final List<String> lines = new ArrayList<>();
    private final ClusterWatch watch = new ClusterWatch(null, "127.0.0.1:9", lines::add);
    private final Instant t0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void oneFailedProbeIsNotALoss() {
        watch.observe("TimeoutException: timed out", t0);
        watch.observe(null, t0.plusSeconds(2));
        assertEquals(List.of(), lines);
        assertTrue(watch.status().reachable());
    }

    @Test
    void saysOnceWhenLostRemindsEvery30sAndSaysOnceWhenBack() {
        for (int s = 0; s <= 70; s += 2) {
            watch.observe("TimeoutException: timed out waiting for a node", t0.plusSeconds(s));
        }
        assertFalse(watch.status().reachable());
        watch.observe(null, t0.plusSeconds(72));
        watch.observe(null, t0.plusSeconds(74));
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("Lost the Kafka cluster at 127.0.0.1:9 (TimeoutException: timed out waiting for a node)."),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("Still no Kafka cluster at 127.0.0.1:9 after 32 s"), lines.get(1));
        assertTrue(lines.get(2).startsWith("Still no Kafka cluster at 127.0.0.1:9 after 62 s"), lines.get(2));
        assertEquals("Kafka cluster at 127.0.0.1:9 is back after 72 s; training resumes.", lines.get(3));
        assertTrue(watch.status().reachable());
    }

    @Test
    void saysOnceWhichNodeOfAReplicatedClusterIsGoneAndOnceWhenAllAreBack() {
        Map<Integer, String> all = Map.of(1, "127.0.0.1:9092", 2, "127.0.0.1:9093", 3, "127.0.0.1:9094");
        watch.observeNodes(all);
        watch.observeNodes(Map.of(1, "127.0.0.1:9092", 3, "127.0.0.1:9094"));
        watch.observeNodes(Map.of(1, "127.0.0.1:9092", 3, "127.0.0.1:9094"));
        assertEquals(2, watch.status().liveNodes());
        assertEquals(3, watch.status().knownNodes());
        watch.observeNodes(all);
        watch.observeNodes(all);
        assertEquals(List.of(
                "Kafka node 2 at 127.0.0.1:9093 stopped answering; the cluster runs on 2 of 3 nodes, and training carries on "
                        + "while enough replicas remain.",
                "All 3 Kafka nodes answer again."), lines);
        assertTrue(watch.status().reachable());
    }
}
