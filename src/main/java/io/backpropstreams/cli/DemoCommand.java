package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.LectureReproduction;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.UpdateRule;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;

/**
 * {@code demo}: the main job. Starts an embedded broker (unless given a cluster) and the trainer,
 * replays the lecture sample through Kafka to two models, {@code lecture} (simultaneous rule) and
 * {@code lecture-sequential}, reads their weights and metrics back, prints the lecture report
 * from those records, checks them bit for bit against the in-process core, and draws the learning
 * curves.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The lecture, through Kafka: starts an embedded Kafka broker (unless --bootstrap-servers is given)",
            "and the trainer, replays the lecture sample N times to the models 'lecture' (simultaneous rule)",
            "and 'lecture-sequential', reads the weights and metrics topics back, prints the same report as",
            "'lecture' from them, checks it bit for bit against the in-process core, and writes the learning",
            "curves as a PNG.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams demo",
            "  backprop-streams demo --steps 1000 --json",
            "  backprop-streams demo --bootstrap-servers localhost:9092",
        })
public final class DemoCommand implements Callable<Integer> {

    /** The second model the demo trains, with the lecture's first-code rule. */
    public static final String SEQUENTIAL_MODEL = "lecture-sequential";

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "10000", description = "Samples per model (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = {"-b", "--bootstrap-servers"}, description = "Use this cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties for Kafka Streams and the clients (security, …).")
    Path config;

    @Option(names = "--output-dir", defaultValue = "demo-output", description = "Where the learning-curve PNG goes (default ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for training to finish (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || steps > 10_000_000) {
            throw new ParameterException(spec.commandLine(), "--steps must be in 1..10,000,000, got " + steps);
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Properties props = KafkaOptions.load(config);
        try (ScratchCluster cluster = ScratchCluster.open(props, bootstrapServers, "backprop-demo")) {
            EmbeddedKafkaBroker broker = cluster.embeddedBroker();
            if (broker != null) {
                status(err, "Embedded Kafka broker ready at %s (%.1f s).", broker.bootstrapServers(), broker.startupTime().toMillis() / 1000.0);
            }
            props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "backprop-streams-demo");
            return run(props, out, err);
        }
    }

    private int run(Properties props, PrintWriter out, PrintWriter err) throws Exception {
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
        Map<String, double[]> curves = new LinkedHashMap<>();
        try (Trainer trainer = Trainer.start(props, 1, Duration.ofSeconds(60));
             OutputCollector collector = new OutputCollector(props, keep);
             KafkaProducer<String, byte[]> producer = Clients.producer(props)) {
            status(err, "Trainer running (exactly-once, application.id %s).", props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
            TopicNames topics = trainer.topics();
            ModelSpec sequential = ModelSpecs.lecture();
            sequential.setUpdateRule(UpdateRule.SEQUENTIAL.id());
            producer.send(new ProducerRecord<>(topics.models(), Lecture.MODEL_ID, Serdes.MODEL_SPEC.encode(ModelSpecs.lecture())));
            producer.send(new ProducerRecord<>(topics.models(), SEQUENTIAL_MODEL, Serdes.MODEL_SPEC.encode(sequential)));
            producer.flush();
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            collector.pollUntil(() -> collector.events(Lecture.MODEL_ID) > 0 && collector.events(SEQUENTIAL_MODEL) > 0, timeout, () -> { });

            byte[] sample = io.backpropstreams.avro.SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
            ProgressBar sending = new ProgressBar(err, "replaying the lecture sample", 2 * steps, !json);
            for (long i = 0; i < steps; i++) {
                producer.send(new ProducerRecord<>(topics.samples(), Lecture.MODEL_ID, sample));
                producer.send(new ProducerRecord<>(topics.samples(), SEQUENTIAL_MODEL, sample));
                sending.update(2 * (i + 1));
            }
            producer.flush();
            sending.finish(2 * steps);
            ProgressBar training = new ProgressBar(err, "reading trained weights back  ", 2 * steps, !json);
            collector.pollUntil(() -> collector.lastWeightsStep(Lecture.MODEL_ID) == steps
                            && collector.lastWeightsStep(SEQUENTIAL_MODEL) == steps && collector.metricCount() == 2 * steps,
                    timeout, () -> training.update(collector.metricCount()));
            training.finish(collector.metricCount());
            lectureParams = collector.parameters(Lecture.MODEL_ID);
            sequentialParams = collector.parameters(SEQUENTIAL_MODEL);
            curves.put(Lecture.MODEL_ID + " (simultaneous)", collector.losses(Lecture.MODEL_ID));
            curves.put(SEQUENTIAL_MODEL, collector.losses(SEQUENTIAL_MODEL));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        NetworkSpec lectureSpec = Lecture.spec(UpdateRule.SIMULTANEOUS, false);
        NetworkSpec sequentialSpec = Lecture.spec(UpdateRule.SEQUENTIAL, false);
        Map<Long, double[]> trained = subset(lectureParams, LectureReport.wantedSteps(steps));
        Map<Long, double[]> sim = subset(lectureParams, LectureReproduction.LECTURE_STEPS);
        Map<Long, double[]> seq = subset(sequentialParams, LectureReproduction.LECTURE_STEPS);
        LectureReport report = LectureReport.build(lectureSpec, steps, trained, sim, seq);
        int mismatches = countMismatches(lectureSpec, lectureParams) + countMismatches(sequentialSpec, sequentialParams);
        Path png = LearningCurveChart.writePng(outputDir.resolve("lecture-learning-curve.png"),
                "Lecture sample through Kafka: prequential loss per step", curves);

        String verdict = mismatches == 0
                ? "Every weight snapshot read back from Kafka is bit-identical to the in-process core."
                : mismatches + " weight snapshots read back from Kafka differ from the in-process core.";
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = (ObjectNode) mapper.readTree(LectureReportPrinter.toJson(report));
            root.put("source", "kafka");
            root.put("bitIdenticalToCore", mismatches == 0);
            root.put("learningCurve", png.toAbsolutePath().toString());
            root.put("seconds", seconds);
            out.println(root);
        } else {
            out.printf("%nRead back from Kafka: %,d metrics and the weights of every step of 'lecture' and '%s'.%n%n",
                    2 * steps, SEQUENTIAL_MODEL);
            LectureReportPrinter.printText(report, out);
            out.println();
            out.println(verdict);
            out.println("Learning curve: " + png.toAbsolutePath());
            out.printf("Demo finished in %.1f s.%n", seconds);
        }
        out.flush();
        return mismatches == 0 ? 0 : 1;
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
        Map<Long, double[]> m = new java.util.TreeMap<>();
        LongStream.of(wanted).filter(all::containsKey).forEach(s -> m.put(s, all.get(s)));
        return m;
    }

    private void status(PrintWriter err, String format, Object... args) {
        if (!json) {
            err.printf(format + "%n", args);
            err.flush();
        }
    }
}
