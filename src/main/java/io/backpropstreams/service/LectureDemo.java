package io.backpropstreams.service;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.client.Clients;
import io.backpropstreams.client.OutputCollector;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.LectureReproduction;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.UpdateRule;
import io.backpropstreams.report.LearningCurveChart;
import io.backpropstreams.report.LectureReport;
import io.backpropstreams.report.ProgressBar;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.LongStream;

/**
 * The main job, end to end: an embedded broker (unless a cluster is given) and the trainer; the
 * lecture sample replayed through Kafka to two models, {@code lecture} (simultaneous rule) and
 * {@code lecture-sequential}; their weights and metrics read back from the output topics; the
 * lecture report built from those records; every weight snapshot checked bit for bit against the
 * in-process core; and the learning curves drawn as a PNG.
 */
public final class LectureDemo {

    /** The second model the demo trains, with the lecture's first-code rule. */
    public static final String SEQUENTIAL_MODEL = "lecture-sequential";

    /**
     * What to run.
     *
     * @param steps            samples per model
     * @param bootstrapServers the user's cluster, or null for an embedded broker
     * @param outputDir        where the learning-curve PNG goes
     * @param timeout          how long training may take
     */
    public record Options(long steps, String bootstrapServers, Path outputDir, Duration timeout) {
    }

    /**
     * What the demo found.
     *
     * @param report     the lecture report, built from the records read back from Kafka
     * @param mismatches weight snapshots that differ from the in-process core (0 when bit-identical)
     * @param curve      the learning-curve PNG
     * @param seconds    wall time of the training phase
     */
    public record Result(LectureReport report, long steps, int mismatches, Path curve, double seconds) {
        /** True when every snapshot read back from Kafka equals the core's. */
        public boolean bitIdentical() {
            return mismatches == 0;
        }
    }

    private LectureDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param config   Kafka Streams and client properties (security, …); a missing {@code application.id}
     *                 becomes {@code backprop-streams-demo}
     * @param status   sees one line per milestone
     * @param progress draws the send and read-back phases
     */
    public static Result run(Properties config, Options options, Consumer<String> status, ProgressBar.Factory progress)
            throws IOException {
        Properties props = new Properties();
        props.putAll(config);
        try (ScratchCluster cluster = ScratchCluster.open(props, options.bootstrapServers(), "backprop-demo")) {
            EmbeddedKafkaBroker broker = cluster.embeddedBroker();
            if (broker != null) {
                status.accept(String.format(java.util.Locale.ROOT, "Embedded Kafka broker ready at %s (%.1f s).",
                        broker.bootstrapServers(), broker.startupTime().toMillis() / 1000.0));
            }
            props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "backprop-streams-demo");
            return train(props, options, status, progress);
        }
    }

    private static Result train(Properties props, Options options, Consumer<String> status, ProgressBar.Factory progress)
            throws IOException {
        long steps = options.steps();
        long start = System.nanoTime();
        Set<Long> keep = new HashSet<>();
        for (long s : LectureReport.wantedSteps(steps)) {
            keep.add(s);
        }
        for (long s : LectureReproduction.LECTURE_STEPS) {
            keep.add(s);
        }
        Map<Long, double[]> lectureParams;
        Map<Long, double[]> sequentialParams;
        double[] lectureLosses;
        double[] sequentialLosses;
        try (Trainer trainer = Trainer.start(props, 1, Duration.ofSeconds(60));
             OutputCollector collector = new OutputCollector(props, keep);
             KafkaProducer<String, byte[]> producer = Clients.producer(props)) {
            status.accept("Trainer running (exactly-once, application.id " + props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + ").");
            TopicNames topics = trainer.topics();
            ModelSpec sequential = ModelSpecs.lecture();
            sequential.setUpdateRule(UpdateRule.SEQUENTIAL.id());
            producer.send(new ProducerRecord<>(topics.models(), Lecture.MODEL_ID, Serdes.MODEL_SPEC.encode(ModelSpecs.lecture())));
            producer.send(new ProducerRecord<>(topics.models(), SEQUENTIAL_MODEL, Serdes.MODEL_SPEC.encode(sequential)));
            producer.flush();
            Duration timeout = options.timeout();
            collector.pollUntil(() -> collector.events(Lecture.MODEL_ID) > 0 && collector.events(SEQUENTIAL_MODEL) > 0, timeout, () -> { });

            byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
            ProgressBar sending = progress.start("replaying the lecture sample", 2 * steps);
            for (long i = 0; i < steps; i++) {
                producer.send(new ProducerRecord<>(topics.samples(), Lecture.MODEL_ID, sample));
                producer.send(new ProducerRecord<>(topics.samples(), SEQUENTIAL_MODEL, sample));
                sending.update(2 * (i + 1));
            }
            producer.flush();
            sending.finish(2 * steps);
            ProgressBar training = progress.start("reading trained weights back  ", 2 * steps);
            collector.pollUntil(() -> collector.lastWeightsStep(Lecture.MODEL_ID) == steps
                            && collector.lastWeightsStep(SEQUENTIAL_MODEL) == steps && collector.metricCount() == 2 * steps,
                    timeout, () -> training.update(collector.metricCount()));
            training.finish(collector.metricCount());
            lectureParams = collector.parameters(Lecture.MODEL_ID);
            sequentialParams = collector.parameters(SEQUENTIAL_MODEL);
            lectureLosses = collector.losses(Lecture.MODEL_ID);
            sequentialLosses = collector.losses(SEQUENTIAL_MODEL);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        NetworkSpec lectureSpec = Lecture.spec(UpdateRule.SIMULTANEOUS, false);
        NetworkSpec sequentialSpec = Lecture.spec(UpdateRule.SEQUENTIAL, false);
        Map<Long, double[]> trained = subset(lectureParams, LectureReport.wantedSteps(steps));
        Map<Long, double[]> sim = subset(lectureParams, LectureReproduction.LECTURE_STEPS);
        Map<Long, double[]> seq = subset(sequentialParams, LectureReproduction.LECTURE_STEPS);
        LectureReport report = LectureReport.build(lectureSpec, steps, trained, sim, seq);
        int mismatches = countMismatches(lectureSpec, lectureParams) + countMismatches(sequentialSpec, sequentialParams);
        Path png = LearningCurveChart.writePng(options.outputDir().resolve("lecture-learning-curve.png"),
                "Lecture sample through Kafka: prequential loss per step", rulePanels(lectureLosses, sequentialLosses));
        return new Result(report, steps, mismatches, png, seconds);
    }

    /**
     * The two rules' curves one above the other, and their difference below: on one axis they lie
     * within a line's width of each other for the whole run, so one would hide the other.
     */
    static java.util.List<LearningCurveChart.Panel> rulePanels(double[] simultaneous, double[] sequential) {
        int n = Math.min(simultaneous.length, sequential.length);
        double[] difference = new double[n];
        for (int i = 0; i < n; i++) {
            difference[i] = sequential[i] - simultaneous[i];
        }
        return java.util.List.of(
                new LearningCurveChart.Panel("simultaneous: loss (log)", true, java.util.List.of(new LearningCurveChart.Series(
                        Lecture.MODEL_ID + " (simultaneous rule, the true gradient)", stepsUpTo(simultaneous.length), simultaneous, new java.awt.Color(0x1f77b4), 2f))),
                new LearningCurveChart.Panel("sequential: loss (log)", true, java.util.List.of(new LearningCurveChart.Series(
                        SEQUENTIAL_MODEL + " (sequential rule, the lecture's first code)", stepsUpTo(sequential.length), sequential, new java.awt.Color(0xd62728), 2f))),
                new LearningCurveChart.Panel("sequential − simultaneous", false, java.util.List.of(new LearningCurveChart.Series(
                        "loss difference, sequential − simultaneous", stepsUpTo(n), difference, new java.awt.Color(0x2ca02c), 1.5f))));
    }

    /** Steps 1..n: the losses of {@code OutputCollector.losses} are those of steps 1, 2, 3… */
    private static long[] stepsUpTo(int n) {
        return java.util.stream.LongStream.rangeClosed(1, n).toArray();
    }

    /** Checks every kept snapshot against the core trained in-process to the same step. */
    private static int countMismatches(NetworkSpec spec, Map<Long, double[]> fromKafka) {
        long[] stepsKept = fromKafka.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        if (stepsKept.length == 0) {
            return 1;
        }
        Map<Long, double[]> core = LectureReproduction.snapshots(spec, stepsKept[stepsKept.length - 1], stepsKept);
        int bad = 0;
        for (long s : stepsKept) {
            if (!Arrays.equals(core.get(s), fromKafka.get(s))) {
                bad++;
            }
        }
        return bad;
    }

    private static Map<Long, double[]> subset(Map<Long, double[]> all, long[] wanted) {
        Map<Long, double[]> m = new TreeMap<>();
        LongStream.of(wanted).filter(all::containsKey).forEach(s -> m.put(s, all.get(s)));
        return m;
    }
}
