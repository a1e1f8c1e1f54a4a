package io.backpropstreams.it.fault;

import io.backpropstreams.kafka.EmbeddedKafkaCluster;
import io.backpropstreams.kafka.KafkaNodeLayout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 3-node KRaft cluster, each node its own process ({@code broker --nodes 3 --node-id N}), and
 * the README's {@code run} command with its defaults. {@code run} must create its topics and its
 * internal topics with 3 replicas and {@code min.insync.replicas} 2 on its own. Mid-stream, the
 * node leading partition 0 of {@code samples} is killed with SIGKILL and stays dead. The same
 * trainer process must carry on with the two nodes left, and every exactly-once invariant of the
 * {@link Ledger} must hold: nothing lost or repeated, every model bit-identical.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplicatedClusterIT {

    static final int NODES = 3;
    static final int PARTITIONS = 4;
    static final int MODELS = 4;
    static final int SAMPLES_PER_MODEL = 3_000;
    static final double RATE = 150;

    @Test
    void killingTheLeaderOfSamplesLosesAndRepeatsNothing() throws Exception {
        KafkaNodeLayout layout = new KafkaNodeLayout(EmbeddedKafkaCluster.freePortRange(2 * NODES), NODES);
        FaultScenario s = FaultScenario.withDefaults("replicated", layout.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        long total = s.work.totalSamples();
        List<ChildJvm> nodes = startNodes(s.dir, layout);
        TrainerSlot trainer = new TrainerSlot(s.label, ReadmeRun.launcher(s.dir, s.bootstrap, List.of()));
        Workload.Sender sender = null;
        int[] killed = {0};
        String[] health = new String[1];
        try {
            trainer.start();
            try (Admin admin = FaultKit.admin(s.bootstrap)) {
                for (String topic : List.of(s.topics.samples(), s.topics.models(), s.topics.weights(), s.topics.metrics(),
                        s.topics.deadLetters(), s.applicationId + "-model-store-changelog", "__transaction_state",
                        "__consumer_offsets")) {
                    assertReplicated(admin, topic);
                }
            }
            Workload.Sender live = s.startTraining(RATE, Duration.ofSeconds(180));
            sender = live;
            s.onThresholds(new long[] {total / 3}, Duration.ofSeconds(240), () -> { }, (i, progress) -> {
                int leader;
                try (Admin admin = FaultKit.admin(s.bootstrap)) {
                    leader = describe(admin, s.topics.samples()).partitions().get(0).leader().id();
                }
                long killedAt = System.nanoTime();
                nodes.get(leader - 1).kill();
                killed[0] = leader;
                s.log("kill -9 of node %d, leader of %s-0, at %d committed metrics (%d samples sent)", leader,
                        s.topics.samples(), progress.count(), live.sent.get());
                long before = progress.count();
                long stall = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (progress.poll(Duration.ofMillis(100)) == before && !live.isDone()) {
                    if (System.nanoTime() > stall) {
                        throw new AssertionError("no committed progress within 120 s of killing node " + leader + " (at "
                                + before + " metrics)\n" + trainer.current().describeOutput());
                    }
                }
                s.log("committed metrics moving again %.1f s after the kill", (System.nanoTime() - killedAt) / 1e9);
                // Kafka fences the dead node after broker.session.timeout.ms (9 s); the trainer says so in one line
                trainer.current().awaitOutput("Kafka node " + leader + " at ", Duration.ofSeconds(60));
                health[0] = FaultKit.httpGet(trainer.current(), "/health");
            });
            live.awaitDone(Duration.ofSeconds(240));
            s.awaitDrained(total, Duration.ofSeconds(180), () -> { });
            try (Admin admin = FaultKit.admin(s.bootstrap)) {
                int newLeader = describe(admin, s.topics.samples()).partitions().get(0).leader().id();
                assertTrue(newLeader != killed[0], "partition 0 of samples has a new leader, not the dead node " + killed[0]);
            }
            assertEquals(1, trainer.starts(), "the same run process trained throughout");
            assertTrue(trainer.current().isAlive(), "run is still up");
            String out = trainer.current().stdout();
            String err = trainer.current().stderr();
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report r = Ledger.verify(s.client, s.topics, s.work.specs(), s.work.samples());
            s.print(r, "nodes=3 killedLeader=" + killed[0] + " finalStopExit=" + exit);
            assertTrue(killed[0] >= 1, "a leader was killed");
            FaultScenario.assertExactlyOnce(r, r.models());
            assertTrue(out.contains("Kafka node " + killed[0] + " at 127.0.0.1:" + layout.clientPort(killed[0])
                    + " stopped answering; the cluster runs on 2 of 3 nodes"), "one line names the dead node:\n" + out);
            assertTrue(health[0].contains("\"cluster\":\"reachable\"") && health[0].contains("\"clusterNodes\":2")
                    && health[0].contains("\"clusterNodesKnown\":3"), "/health with one node dead: " + health[0]);
            // A WARN may appear: if the dead node coordinated the trainer's transactions, Kafka Streams sees its
            // producer fenced, aborts the open transaction and carries on (the ledger above counts those aborts).
            assertEquals("", err.lines().filter(l -> l.contains(" ERROR ")).collect(Collectors.joining("\n")),
                    "run logs no ERROR for the loss of one node of three");
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
            for (ChildJvm node : nodes) {
                node.close();
            }
        }
    }

    /** Starts the nodes together (each is ready only once a majority runs) and waits for all. */
    private static List<ChildJvm> startNodes(Path dir, KafkaNodeLayout layout) throws Exception {
        List<ChildJvm> nodes = new ArrayList<>();
        for (int id = 1; id <= layout.nodes(); id++) {
            nodes.add(ChildJvm.start("replicated-node-" + id, dir, List.of("broker", "--nodes", Integer.toString(layout.nodes()),
                    "--node-id", Integer.toString(id), "--port", Integer.toString(layout.basePort()),
                    "--data-dir", dir.resolve("kafka-data").toString())));
        }
        try {
            for (ChildJvm node : nodes) {
                node.awaitOutput("Kafka broker ready at", Duration.ofSeconds(120));
            }
        } catch (AssertionError | RuntimeException e) {
            for (ChildJvm node : nodes) {
                node.close();
            }
            throw e;
        }
        return nodes;
    }

    private static void assertReplicated(Admin admin, String topic) throws Exception {
        TopicDescription d = describe(admin, topic);
        for (TopicPartitionInfo p : d.partitions()) {
            assertEquals(3, p.replicas().size(), topic + "-" + p.partition() + " replicas");
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                .all().get(30, TimeUnit.SECONDS);
        assertEquals("2", configs.values().iterator().next().get("min.insync.replicas").value(), topic + " min.insync.replicas");
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }
}
