package io.backpropstreams.it.fault;

import io.backpropstreams.it.SharedBroker;
import io.backpropstreams.it.Waits;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two trainer instances ({@code run} in two child JVMs, one application id, two state
 * directories) share 8 models over a 4-partition {@code samples} topic. One of them is killed
 * with SIGKILL mid-stream and not restarted: the other takes over its partitions, restores their
 * models from the changelog and finishes the stream. Every exactly-once invariant of the
 * {@link Ledger} holds for all 8 models.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ScaleOutIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 8;
    static final int SAMPLES_PER_MODEL = 2_500;
    static final double RATE = 1_000;
    static final String LABEL = "scale-out-kill";

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @Test
    void theSurvivorTakesOverAKilledInstanceExactlyOnce() throws Exception {
        FaultScenario s = FaultScenario.of(LABEL, KAFKA.bootstrapServers(), PARTITIONS, MODELS, SAMPLES_PER_MODEL).createTopics();
        Random random = s.random;
        long seed = s.seed;
        String bootstrap = s.bootstrap;
        TopicNames topics = s.topics;
        Workload work = s.work;
        long total = work.totalSamples();
        String applicationId = s.applicationId;
        Map<String, Path> configs = new LinkedHashMap<>();
        for (String name : List.of("a", "b")) {
            configs.put(name, s.trainerConfig("trainer-" + name, StreamsConfig.EXACTLY_ONCE_V2,
                    Map.of(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-" + name)));
        }
        String victimName = random.nextBoolean() ? "a" : "b";
        String survivorName = victimName.equals("a") ? "b" : "a";
        long threshold = (long) (total * (0.25 + 0.35 * random.nextDouble()));
        Map<String, Integer> partitionOfModel = new TreeMap<>();
        work.models().keySet().forEach(id -> partitionOfModel.put(id, Workload.partitionOf(id, PARTITIONS)));
        System.out.printf(Locale.ROOT, "%s: seed=%d models by partition=%s victim=trainer-%s kill threshold (committed metrics)=%d%n",
                LABEL, seed, partitionOfModel, victimName, threshold);

        Workload.Sender sender = null;
        Map<String, ChildJvm> trainers = new LinkedHashMap<>();
        try (Admin admin = FaultKit.admin(bootstrap)) {
            // both at once: each prints its ready line once RUNNING
            for (String name : configs.keySet()) {
                trainers.put(name, ChildJvm.start(LABEL + "-trainer-" + name, s.dir, List.of("run", "--bootstrap-servers", bootstrap,
                        "--config", configs.get(name).toString(), "--http-port", "0", "--partitions", Integer.toString(PARTITIONS),
                        "--timeout", "90")));
            }
            for (ChildJvm t : trainers.values()) {
                t.awaitOutput("Trainer running", FaultKit.START_TIMEOUT);
            }
            Map<String, Set<Integer>> assignment = awaitBothAssigned(admin, applicationId, topics.samples());
            System.out.println(LABEL + ": assignment of " + topics.samples() + " before the kill: " + assignment);

            sender = s.startTraining(RATE, Duration.ofSeconds(120));
            ChildJvm victim = trainers.get(victimName);
            ChildJvm survivor = trainers.get(survivorName);
            Set<Integer> victimPartitions;
            double takeover;
            double reassigned;
            try (FaultKit.Progress progress = new FaultKit.Progress(bootstrap, topics.metrics())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (progress.poll(Duration.ofMillis(50)) < threshold) {
                    assertTrue(victim.isAlive() && survivor.isAlive(), "both trainers run until the kill\n"
                            + victim.describeOutput() + survivor.describeOutput());
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("committed metrics did not reach " + threshold + " in 120 s: " + progress.count());
                    }
                }
                assignment = FaultKit.assignment(admin, applicationId, topics.samples());
                victimPartitions = partitionsOf(assignment, "trainer-" + victimName);
                assertFalse(victimPartitions.isEmpty(), "the victim owns partitions before the kill: " + assignment);
                Thread.sleep(random.nextInt(150));
                victim.kill();
                long killedAt = System.nanoTime();
                long atKill = progress.poll(Duration.ZERO);
                Map<String, Long> victimModelsAtKill = new TreeMap<>();
                partitionOfModel.forEach((id, p) -> {
                    if (victimPartitions.contains(p)) {
                        victimModelsAtKill.put(id, progress.count(id));
                    }
                });
                System.out.printf(Locale.ROOT, "%s: kill -9 of %s after %.1f s of uptime, at %d committed metrics (%d samples sent); "
                                + "its partitions %s, its models' committed metrics %s%n", LABEL, victim, victim.uptimeSeconds(), atKill,
                        sender.sent.get(), victimPartitions, victimModelsAtKill);
                // the survivor takes over: first the group hands it every partition (once the victim's session expires) ...
                Map<String, Set<Integer>> now = Map.of();
                while (!partitionsOf(now, "trainer-" + survivorName).equals(Set.of(0, 1, 2, 3)) || now.size() != 1) {
                    progress.poll(Duration.ofMillis(100));
                    assertTrue(survivor.isAlive(), "the survivor keeps running\n" + survivor.describeOutput());
                    if (System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(90)) {
                        throw new AssertionError("the survivor did not get every partition within 90 s of the kill: " + now);
                    }
                    now = FaultKit.assignment(admin, applicationId, topics.samples());
                }
                reassigned = (System.nanoTime() - killedAt) / 1e9;
                // ... then the victim's models, restored from their changelog, move again (committed by the survivor)
                Map<String, Long> atReassignment = new TreeMap<>();
                victimModelsAtKill.keySet().forEach(id -> atReassignment.put(id, progress.count(id)));
                while (!atReassignment.entrySet().stream().allMatch(
                        e -> progress.count(e.getKey()) > e.getValue() || progress.count(e.getKey()) >= SAMPLES_PER_MODEL)) {
                    progress.poll(Duration.ofMillis(100));
                    assertTrue(survivor.isAlive(), "the survivor keeps running\n" + survivor.describeOutput());
                    if (System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(120)) {
                        throw new AssertionError("the victim's models did not move within 120 s of the kill: at reassignment "
                                + atReassignment + "\n" + survivor.describeOutput());
                    }
                }
                takeover = (System.nanoTime() - killedAt) / 1e9;
                System.out.printf(Locale.ROOT, "%s: the survivor owns every partition %.1f s after the kill; the victim's models "
                        + "move again %.1f s after the kill (committed metrics at reassignment %s)%n", LABEL, reassigned, takeover, atReassignment);
            }
            sender.awaitDone(Duration.ofSeconds(120));
            FaultKit.awaitDrained(bootstrap, applicationId, topics.samples(), total, Duration.ofSeconds(120),
                    () -> assertTrue(survivor.isAlive(), "the survivor keeps running\n" + survivor.describeOutput()));
            Map<String, Set<Integer>> after = FaultKit.assignment(admin, applicationId, topics.samples());
            System.out.println(LABEL + ": assignment after the takeover: " + after);
            assertEquals(Set.of(0, 1, 2, 3), partitionsOf(after, "trainer-" + survivorName), "the survivor owns every partition");
            int exit = survivor.terminate(Duration.ofSeconds(60));
            Ledger.Report r = Ledger.verify(s.client, topics, work.specs(), work.samples());
            s.print(r, String.format(Locale.ROOT,
                    "kills=1 victim=trainer-%s victimPartitions=%s reassigned=%.1fs resumed=%.1fs survivorStopExit=%d",
                    victimName, victimPartitions, reassigned, takeover, exit));
            FaultScenario.assertExactlyOnce(r, MODELS);
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            for (ChildJvm t : trainers.values()) {
                t.close();
            }
        }
    }

    /** Waits until the group has two members that each own some of the partitions, together all. */
    static Map<String, Set<Integer>> awaitBothAssigned(Admin admin, String group, String topic) {
        return Waits.until("the two trainers to split the " + PARTITIONS + " partitions", Duration.ofSeconds(90), () -> {
            try {
                return FaultKit.assignment(admin, group, topic);
            } catch (Exception e) {
                return Map.<String, Set<Integer>>of("error", Set.of());
            }
        }, assignment -> {
            Set<Integer> all = new TreeSet<>();
            assignment.values().forEach(all::addAll);
            return assignment.size() == 2 && assignment.values().stream().noneMatch(Set::isEmpty) && all.size() == PARTITIONS;
        });
    }

    /** The partitions of the member whose client id starts with {@code clientIdPrefix}. */
    private static Set<Integer> partitionsOf(Map<String, Set<Integer>> assignment, String clientIdPrefix) {
        List<Set<Integer>> found = new ArrayList<>();
        assignment.forEach((clientId, parts) -> {
            if (clientId.startsWith(clientIdPrefix + "-")) {
                found.add(parts);
            }
        });
        Set<Integer> union = new TreeSet<>();
        found.forEach(union::addAll);
        return union;
    }
}
