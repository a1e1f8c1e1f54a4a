package io.backpropstreams.it.fault;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads everything a run left in Kafka and checks it against an uninterrupted run of the same
 * training, computed in-process with {@link Network} on exactly the samples the {@code samples}
 * topic holds, model by model, in the order the trainer sees them.
 *
 * <p>Per model:
 * <ul>
 *   <li>{@code metrics} (read_committed): exactly one record per step 1..N, where N is the number
 *       of samples of the model; each one's loss, output and loss EMA bit-for-bit those of the
 *       uninterrupted run at that step;</li>
 *   <li>{@code weights} (read_committed): one {@code create} event at step 0 first, with the
 *       initial parameters; then steps that only grow, {@code publishEvery} apart, each with
 *       bit-for-bit the parameters of the uninterrupted run after that step; the last at step N;</li>
 *   <li>the final parameters (the last weights record) bit-for-bit the uninterrupted run's.</li>
 * </ul>
 * Plus, over the topics: how many records read_uncommitted sees beyond read_committed (aborted
 * transactions' records), and how many dead letters there are.
 *
 * <p>Call it when no transaction is open any more (the trainer stopped), so that read_committed
 * reads to the end.
 */
final class Ledger {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** What one model's outputs show. */
    record ModelReport(String id, long samples, long metrics, long missing, long duplicates, long beyond,
                       long metricMismatches, long weightsRecords, long weightsViolations, long weightsMismatches,
                       long lastStep, boolean finalEqual, List<String> problems) {
    }

    /** What the whole run shows. */
    record Report(long sent, long inTopic, boolean topicAsSent, long metrics, long applied, long missing, long duplicates,
                  long beyond, long metricMismatches, long weightsViolations, long weightsMismatches,
                  long abortedMetrics, long abortedWeights, long abortedDeadLetters, long deadLetters,
                  int modelsEqual, int models, Map<String, ModelReport> perModel, List<String> problems) {

        long aborted() {
            return abortedMetrics + abortedWeights + abortedDeadLetters;
        }

        /** Every exactly-once invariant holds. */
        boolean exactlyOnce() {
            return problems.isEmpty();
        }

        /** The one-line summary, {@code label: sent=… applied=… missing=… duplicates=… aborted=… deadLetters=… <extra>}. */
        String summary(String label, String extra) {
            return String.format(Locale.ROOT,
                    "%s: sent=%d applied=%d missing=%d duplicates=%d aborted=%d deadLetters=%d %s"
                            + " | metrics=%d beyondN=%d metricMismatches=%d weightsViolations=%d weightsMismatches=%d"
                            + " abortedMetrics=%d abortedWeights=%d modelsBitEqual=%d/%d samplesTopicAsSent=%s",
                    label, sent, applied, missing, duplicates, aborted(), deadLetters, extra,
                    metrics, beyond, metricMismatches, weightsViolations, weightsMismatches,
                    abortedMetrics, abortedWeights, modelsEqual, models, topicAsSent);
        }

        /** The problems, at most {@code max}, one per line. */
        String describeProblems(int max) {
            StringBuilder sb = new StringBuilder();
            problems.stream().limit(max).forEach(p -> sb.append("  ").append(p).append('\n'));
            if (problems.size() > max) {
                sb.append("  … and ").append(problems.size() - max).append(" more\n");
            }
            return sb.toString();
        }
    }

    private Ledger() {
    }

    /**
     * @param client bootstrap servers (and security) for the readers
     * @param specs  every model the run trains, by id
     * @param sent   per model, the samples the test sent, in order (to check the samples topic holds exactly them)
     */
    static Report verify(Properties client, TopicNames topics, Map<String, ModelSpec> specs,
                         Map<String, List<SampleCodec.Vectors>> sent) {
        Map<String, List<SampleCodec.Vectors>> inTopic = new LinkedHashMap<>();
        specs.keySet().forEach(id -> inTopic.put(id, new ArrayList<>()));
        List<String> problems = new ArrayList<>();
        long unknownSamples = 0;
        for (ConsumerRecord<byte[], byte[]> r : readAll(client, topics.samples(), true)) {
            String id = key(r);
            List<SampleCodec.Vectors> list = inTopic.get(id);
            if (list == null) {
                unknownSamples++;
                continue;
            }
            list.add(SampleCodec.decode(r.value()));
        }
        if (unknownSamples > 0) {
            problems.add(unknownSamples + " samples on '" + topics.samples() + "' for models the test does not know");
        }
        long sentCount = sent.values().stream().mapToLong(List::size).sum();
        long inTopicCount = inTopic.values().stream().mapToLong(List::size).sum();
        boolean topicAsSent = true;
        for (Map.Entry<String, List<SampleCodec.Vectors>> e : sent.entrySet()) {
            List<SampleCodec.Vectors> got = inTopic.getOrDefault(e.getKey(), List.of());
            if (!sameSamples(e.getValue(), got)) {
                topicAsSent = false;
                problems.add("model " + e.getKey() + ": '" + topics.samples() + "' holds " + got.size()
                        + " samples that are not the " + e.getValue().size() + " sent, in order");
            }
        }

        List<ConsumerRecord<byte[], byte[]>> metricsCommitted = readAll(client, topics.metrics(), true);
        List<ConsumerRecord<byte[], byte[]>> weightsCommitted = readAll(client, topics.weights(), true);
        List<ConsumerRecord<byte[], byte[]>> deadCommitted = readAll(client, topics.deadLetters(), true);
        long abortedMetrics = readAll(client, topics.metrics(), false).size() - (long) metricsCommitted.size();
        long abortedWeights = readAll(client, topics.weights(), false).size() - (long) weightsCommitted.size();
        long abortedDead = readAll(client, topics.deadLetters(), false).size() - (long) deadCommitted.size();
        if (!deadCommitted.isEmpty()) {
            problems.add(deadCommitted.size() + " dead letters");
        }

        Map<String, List<TrainingMetric>> metrics = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : metricsCommitted) {
            TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
            metrics.computeIfAbsent(m.getModelId(), k -> new ArrayList<>()).add(m);
        }
        Map<String, List<WeightsUpdate>> weights = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : weightsCommitted) {
            String id = key(r);
            weights.computeIfAbsent(id, k -> new ArrayList<>()).add(r.value() == null ? null : Serdes.WEIGHTS_UPDATE.decode(r.value()));
        }
        for (String id : metrics.keySet()) {
            if (!specs.containsKey(id)) {
                problems.add(metrics.get(id).size() + " metrics for unknown model " + id);
            }
        }

        Map<String, ModelReport> perModel = new LinkedHashMap<>();
        long applied = 0;
        long missing = 0;
        long duplicates = 0;
        long beyond = 0;
        long metricMismatches = 0;
        long weightsViolations = 0;
        long weightsMismatches = 0;
        int equal = 0;
        for (Map.Entry<String, ModelSpec> e : specs.entrySet()) {
            String id = e.getKey();
            ModelReport m = checkModel(id, e.getValue(), inTopic.get(id),
                    metrics.getOrDefault(id, List.of()), weights.getOrDefault(id, List.of()));
            perModel.put(id, m);
            problems.addAll(m.problems());
            applied += Math.max(0, m.lastStep());
            missing += m.missing();
            duplicates += m.duplicates();
            beyond += m.beyond();
            metricMismatches += m.metricMismatches();
            weightsViolations += m.weightsViolations();
            weightsMismatches += m.weightsMismatches();
            if (m.finalEqual()) {
                equal++;
            }
        }
        return new Report(sentCount, inTopicCount, topicAsSent, metricsCommitted.size(), applied, missing, duplicates, beyond,
                metricMismatches, weightsViolations, weightsMismatches, abortedMetrics, abortedWeights, abortedDead,
                deadCommitted.size(), equal, specs.size(), perModel, problems);
    }

    private static ModelReport checkModel(String id, ModelSpec spec, List<SampleCodec.Vectors> samples,
                                          List<TrainingMetric> metrics, List<WeightsUpdate> weights) {
        List<String> problems = new ArrayList<>();
        int n = samples.size();
        ModelSpecs.Definition def = ModelSpecs.toDefinition(spec);
        int publishEvery = def.publishEvery();
        Network net = new Network(def.spec(), def.parameters());
        double[] initial = net.parameters();
        ModelState ema = new ModelState(net, publishEvery, Double.NaN);

        // the uninterrupted run, step by step
        double[] loss = new double[n + 1];
        double[] lossEma = new double[n + 1];
        double[][] output = new double[n + 1][];
        Map<Long, double[]> published = new HashMap<>();
        for (int k = 1; k <= n; k++) {
            SampleCodec.Vectors v = samples.get(k - 1);
            loss[k] = net.step(v.input(), v.target());
            lossEma[k] = ema.recordLoss(loss[k]);
            output[k] = new double[def.spec().outputSize()];
            net.copyOutput(output[k]);
            if (k % publishEvery == 0) {
                published.put((long) k, net.parameters());
            }
        }
        double[] expectedFinal = net.parameters();

        // metrics: one per step 1..N, each as in the uninterrupted run
        int[] seen = new int[n + 1];
        long beyond = 0;
        long mismatches = 0;
        for (TrainingMetric m : metrics) {
            long s = m.getStep();
            if (s < 1 || s > n) {
                beyond++;
                continue;
            }
            int k = (int) s;
            seen[k]++;
            if (!sameBits(m.getLoss(), loss[k]) || !sameBits(m.getLossEma(), lossEma[k]) || !sameBits(toArray(m.getOutput()), output[k])) {
                if (mismatches == 0) {
                    problems.add("model " + id + ": metric of step " + k + " differs from the uninterrupted run (loss "
                            + m.getLoss() + " vs " + loss[k] + ", ema " + m.getLossEma() + " vs " + lossEma[k] + ")");
                }
                mismatches++;
            }
        }
        long missing = 0;
        long duplicates = 0;
        for (int k = 1; k <= n; k++) {
            if (seen[k] == 0) {
                missing++;
            } else {
                duplicates += seen[k] - 1;
            }
        }
        if (missing > 0) {
            problems.add("model " + id + ": " + missing + " of " + n + " steps have no metric (first: " + firstWith(seen, 0) + ")");
        }
        if (duplicates > 0) {
            problems.add("model " + id + ": " + duplicates + " duplicate metrics (first duplicated step: " + firstAbove(seen, 1) + ")");
        }
        if (beyond > 0) {
            problems.add("model " + id + ": " + beyond + " metrics with a step outside 1.." + n);
        }

        // weights: create at step 0 first, then growing steps publishEvery apart, as in the uninterrupted run
        long violations = 0;
        long weightMismatches = 0;
        long lastStep = -1;
        double[] last = null;
        for (int i = 0; i < weights.size(); i++) {
            WeightsUpdate u = weights.get(i);
            if (u == null) {
                violations++;
                problems.add("model " + id + ": a tombstone on the weights topic");
                continue;
            }
            double[] params = WeightsUpdates.parameters(u);
            if (i == 0) {
                if (!"create".equals(u.getEvent()) || u.getStep() != 0) {
                    violations++;
                    problems.add("model " + id + ": first weights record is " + u.getEvent() + " at step " + u.getStep() + ", not create at 0");
                } else if (!sameBits(params, initial)) {
                    weightMismatches++;
                    problems.add("model " + id + ": the create event's parameters are not the initial ones");
                }
            } else if (!"step".equals(u.getEvent())) {
                violations++;
                problems.add("model " + id + ": a " + u.getEvent() + " event at step " + u.getStep() + " after the start");
            } else {
                long expected = Math.max(lastStep, 0) + publishEvery;
                if (u.getStep() <= lastStep) {
                    violations++;
                    if (violations <= 3) {
                        problems.add("model " + id + ": weights step " + u.getStep() + " after step " + lastStep + " (steps must grow)");
                    }
                } else if (u.getStep() != expected) {
                    violations++;
                    if (violations <= 3) {
                        problems.add("model " + id + ": weights step " + u.getStep() + " after step " + lastStep + ", expected " + expected);
                    }
                }
                double[] want = published.get(u.getStep());
                if (want == null || !sameBits(params, want)) {
                    if (weightMismatches == 0) {
                        problems.add("model " + id + ": weights of step " + u.getStep() + " differ from the uninterrupted run's");
                    }
                    weightMismatches++;
                }
            }
            lastStep = Math.max(lastStep, u.getStep());
            last = params;
        }
        boolean finalEqual = last != null && lastStep == n && sameBits(last, expectedFinal)
                && weights.get(weights.size() - 1) != null && weights.get(weights.size() - 1).getStep() == n;
        if (!finalEqual) {
            problems.add("model " + id + ": final parameters (last weights step " + lastStep + ") are not bit-for-bit those of the "
                    + "uninterrupted run after " + n + " steps" + (last == null ? " (no weights at all)" : maxDiff(last, expectedFinal)));
        }
        return new ModelReport(id, n, metrics.size(), missing, duplicates, beyond, mismatches, weights.size(), violations,
                weightMismatches, lastStep, finalEqual, problems);
    }

    private static String maxDiff(double[] got, double[] want) {
        if (got.length != want.length) {
            return " (" + got.length + " parameters, expected " + want.length + ")";
        }
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            max = Math.max(max, Math.abs(got[i] - want[i]));
        }
        return String.format(Locale.ROOT, " (max |difference| %.3e)", max);
    }

    private static int firstWith(int[] seen, int count) {
        for (int k = 1; k < seen.length; k++) {
            if (seen[k] == count) {
                return k;
            }
        }
        return -1;
    }

    private static int firstAbove(int[] seen, int count) {
        for (int k = 1; k < seen.length; k++) {
            if (seen[k] > count) {
                return k;
            }
        }
        return -1;
    }

    static boolean sameBits(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }

    static boolean sameBits(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!sameBits(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameSamples(List<SampleCodec.Vectors> a, List<SampleCodec.Vectors> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameBits(a.get(i).input(), b.get(i).input()) || !sameBits(a.get(i).target(), b.get(i).target())) {
                return false;
            }
        }
        return true;
    }

    private static double[] toArray(List<Double> list) {
        double[] a = new double[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    /**
     * Every record of {@code topic}, partition by partition in offset order, up to the end offsets
     * of the chosen isolation level (the last stable offset for read_committed).
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(Properties client, String topic, boolean readCommitted) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic, READ_TIMEOUT)) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            tps.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, READ_TIMEOUT);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
            tps.forEach(tp -> byPartition.put(tp, new ArrayList<>()));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!tps.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read '" + topic + "' to its end offsets " + end + " within "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        byPartition.get(tp).add(r);
                    }
                }
            }
            byPartition.values().forEach(all::addAll);
        }
        return all;
    }
}
