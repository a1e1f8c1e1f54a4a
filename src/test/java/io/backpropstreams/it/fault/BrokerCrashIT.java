package io.backpropstreams.it.fault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the Kafka broker itself ({@code broker --port P --data-dir DIR} in a child JVM) with SIGKILL
 * while the trainer ({@code run}, another child JVM) trains 20,000 samples of 4 models, and restarts
 * it on the same port and data directory. The trainer rides it out (Kafka Streams retries); should
 * it exit, it is restarted. Afterwards every exactly-once invariant of the {@link Ledger} holds.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BrokerCrashIT {

    static final int PARTITIONS = 4;
    static final int MODELS = 4;
    static final int SAMPLES_PER_MODEL = 5_000;
    static final int BROKER_KILLS = 2;
    static final double RATE = 1_000;
    static final String LABEL = "broker-kill";

    @Test
    void theTrainerRidesOutBrokerCrashesExactlyOnce() throws Exception {
        System.out.println("fault-it: child JVM class path is " + ChildJvm.describeClassPath());
        int port = FaultKit.freePort();
        FaultScenario s = FaultScenario.of(LABEL, "127.0.0.1:" + port, PARTITIONS, MODELS, SAMPLES_PER_MODEL);
        Path data = s.dir.resolve("kafka-data");
        long total = s.work.totalSamples();
        Path config = s.trainerConfig();
        long[] thresholds = s.thresholds(total, BROKER_KILLS);
        s.log("seed=%d port=%d models=%s kill thresholds (committed metrics)=%s", s.seed, port, s.work.models().keySet(),
                Arrays.toString(thresholds));

        ChildJvm[] broker = {FaultKit.startBroker(LABEL + "-broker-1", s.dir, port, data)};
        TrainerSlot trainer = s.trainer(config);
        Workload.Sender sender = null;
        double[] downtime = new double[BROKER_KILLS];
        int[] kills = {0};
        try {
            s.createTopics();
            trainer.start();
            // the producer retries through the broker's downtime: idempotent, so each sample lands once, in order
            Workload.Sender live = s.startTraining(RATE, Duration.ofSeconds(180));
            sender = live;
            s.onThresholds(thresholds, Duration.ofSeconds(300), trainer::restartIfExited, (i, progress) -> {
                long killedAt = System.nanoTime();
                broker[0].kill();
                kills[0]++;
                s.log("kill -9 #%d of %s after %.1f s of uptime, at %d committed metrics (threshold %d; %d samples sent)",
                        i + 1, broker[0], broker[0].uptimeSeconds(), progress.count(), thresholds[i], live.sent.get());
                broker[0] = FaultKit.startBroker(LABEL + "-broker-" + (i + 2), s.dir, port, data);
                downtime[i] = (System.nanoTime() - killedAt) / 1e9;
                s.log("broker back on port %d after %.1f s", port, downtime[i]);
                // it must make progress again before the next kill counts
                long before = progress.count();
                long stall = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (progress.poll(Duration.ofMillis(100)) == before && !live.isDone()) {
                    trainer.restartIfExited();
                    if (System.nanoTime() > stall) {
                        throw new AssertionError("no committed progress within 180 s of the broker restart (at " + before
                                + " metrics)\n" + trainer.current().describeOutput());
                    }
                }
                s.log("committed metrics moving again %.1f s after the kill", (System.nanoTime() - killedAt) / 1e9);
            });
            sender.awaitDone(Duration.ofSeconds(180));
            s.awaitDrained(total, Duration.ofSeconds(180), trainer::restartIfExited);
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report r = Ledger.verify(s.client, s.topics, s.work.specs(), s.work.samples());
            s.print(r, String.format(java.util.Locale.ROOT, "kills=%d brokerDowntime=%s trainerStarts=%d trainerSelfExits=%d finalStopExit=%d",
                    kills[0], Arrays.toString(Arrays.stream(downtime).map(d -> Math.round(d * 10) / 10.0).toArray()),
                    trainer.starts(), trainer.selfExits(), exit));
            assertEquals(BROKER_KILLS, kills[0], "broker kills");
            FaultScenario.assertExactlyOnce(r, r.models());
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
            if (broker[0].isAlive()) {
                int exit = broker[0].terminate(Duration.ofSeconds(60));
                System.out.println(LABEL + ": broker stopped with exit code " + exit);
            }
        }
    }

    /**
     * The single broker stops (SIGTERM) for 20 s and starts again while the README's {@code run}
     * command, with all its defaults, trains. The same trainer process must survive, print one
     * line when it loses the cluster and one when it is back, report the outage on {@code /health},
     * and finish bit-identically.
     */
    @Test
    void runRidesOutATwentySecondBrokerStopAndSaysSo() throws Exception {
        int port = FaultKit.freePort();
        FaultScenario s = FaultScenario.withDefaults("broker-stop", "127.0.0.1:" + port, PARTITIONS, MODELS, 2_000);
        Path data = s.dir.resolve("kafka-data");
        long total = s.work.totalSamples();
        ChildJvm[] broker = {FaultKit.startBroker("broker-stop-broker-1", s.dir, port, data)};
        TrainerSlot trainer = new TrainerSlot(s.label, ReadmeRun.launcher(s.dir, s.bootstrap, java.util.List.of()));
        Workload.Sender sender = null;
        String[] health = new String[1];
        try {
            trainer.start();
            Workload.Sender live = s.startTraining(200, Duration.ofSeconds(180));
            sender = live;
            s.onThresholds(new long[] {total / 3}, Duration.ofSeconds(180), () -> { }, (i, progress) -> {
                long stoppedAt = System.nanoTime();
                int exit = broker[0].terminate(Duration.ofSeconds(60));
                s.log("broker stopped (exit %d) at %d committed metrics", exit, progress.count());
                ChildJvm t = trainer.current();
                t.awaitOutput("Lost the Kafka cluster", Duration.ofSeconds(60));
                health[0] = FaultKit.httpGet(t, "/health");
                long downFor = Duration.ofSeconds(20).toNanos() - (System.nanoTime() - stoppedAt);
                if (downFor > 0) {
                    // the outage itself is what this test is about: the broker stays away 20 s in all
                    Thread.sleep(downFor / 1_000_000);
                }
                broker[0] = FaultKit.startBroker("broker-stop-broker-2", s.dir, port, data);
                s.log("broker back after %.1f s", (System.nanoTime() - stoppedAt) / 1e9);
                t.awaitOutput("is back after", Duration.ofSeconds(90));
            });
            sender.awaitDone(Duration.ofSeconds(180));
            s.awaitDrained(total, Duration.ofSeconds(180), () -> { });
            assertEquals(1, trainer.starts(), "the same run process trained throughout");
            assertTrue(trainer.current().isAlive(), "run is still up");
            String out = trainer.current().stdout();
            int exit = trainer.terminate(Duration.ofSeconds(60));
            Ledger.Report r = Ledger.verify(s.client, s.topics, s.work.specs(), s.work.samples());
            s.print(r, "brokerStop=20s finalStopExit=" + exit);
            FaultScenario.assertExactlyOnce(r, r.models());
            assertEquals(1, count(out, "Lost the Kafka cluster"), "one line when the cluster is lost:\n" + out);
            assertEquals(1, count(out, "is back after"), "one line when it is back:\n" + out);
            assertTrue(health[0].contains("\"cluster\":\"unreachable\""), "/health during the outage: " + health[0]);
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            trainer.close();
            if (broker[0].isAlive()) {
                broker[0].terminate(Duration.ofSeconds(60));
            }
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
