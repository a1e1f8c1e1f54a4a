package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.BaselineTopology;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.ModelStateSerde;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bench}: how close the trainer runs to Kafka's own limit, measured side by side in one run
 * with the same samples: (a) a no-math baseline of the same shape, (b) the trainer on the lecture
 * model, (c) produce-to-weights latency at half of (b)'s throughput, (d) a [784,128,10] model
 * against the core's own speed.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the trainer against Kafka's own limit, exactly-once, on the embedded broker or a cluster:",
            "  (a) a no-math baseline topology of the same shape (same store, same two outputs per sample),",
            "  (b) the trainer on the lecture model with publishEvery 1,",
            "  (c) latency from produce to committed weights update at half of (b)'s rate (HdrHistogram),",
            "  (d) a [784,128,10] sigmoid model with publishEvery 1000, against the core trained in-process.",
            "Samples are produced before timing starts; timing runs from the first committed output to the last.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams bench",
            "  backprop-streams bench --samples 200000 --big-samples 5000 --latency-seconds 10 --json",
        })
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", defaultValue = "1000000", description = "Lecture samples for (a) and (b) (default ${DEFAULT-VALUE}).")
    long samples;

    @Option(names = "--big-samples", defaultValue = "20000", description = "Samples for the [784,128,10] model (d); 0 skips it (default ${DEFAULT-VALUE}).")
    long bigSamples;

    @Option(names = "--latency-seconds", defaultValue = "15", description = "Duration of the latency run (c); 0 skips it (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--jmh-big", defaultValue = "0", description = "JMH steps/s of the core for [784,128,10], to compare (d) with (optional).")
    double jmhBig;

    @Option(names = {"-b", "--bootstrap-servers"}, description = "Use this cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties for Kafka Streams and the clients.")
    Path config;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds each phase may take (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private final java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (samples < 1000 || bigSamples < 0 || latencySeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--samples must be ≥ 1000 and --big-samples, --latency-seconds ≥ 0; got "
                    + samples + ", " + bigSamples + ", " + latencySeconds);
        }
        PrintWriter err = spec.commandLine().getErr();
        Properties props = KafkaOptions.load(config);
        props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        try (ScratchCluster cluster = ScratchCluster.open(props, bootstrapServers, "backprop-bench")) {
            String run = "bench-" + Long.toHexString(System.nanoTime()).substring(4);
            status(err, "Benchmark %s on %s (%s).", run, props.getProperty("bootstrap.servers"),
                    cluster.embeddedBroker() == null ? "your cluster" : "embedded broker");
            lectureThroughput(props, run, err);
            if (latencySeconds > 0) {
                latency(props, run, err);
            }
            if (bigSamples > 0) {
                bigModel(props, run, err);
            }
            print(spec.commandLine().getOut());
            return 0;
        }
    }

    private TopicNames topics(String prefix) {
        return new TopicNames(prefix + "-samples", prefix + "-models", prefix + "-weights", prefix + "-metrics", prefix + "-dead-letters");
    }

    private Properties withTopics(Properties base, TopicNames t, String appId) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(TopicNames.PREFIX + "samples", t.samples());
        p.put(TopicNames.PREFIX + "models", t.models());
        p.put(TopicNames.PREFIX + "weights", t.weights());
        p.put(TopicNames.PREFIX + "metrics", t.metrics());
        p.put(TopicNames.PREFIX + "dead-letters", t.deadLetters());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        return TrainerTopology.streamsConfig(p, null);
    }

    private void createTopics(Properties props, TopicNames t) {
        Topics.createIfMissing(KafkaOptions.forClient(props, AdminClientConfig.configNames()), Trainer.topicSpecs(t, 1));
    }

    /** (a) and (b): the same pre-produced lecture samples through the baseline and the trainer. */
    private void lectureThroughput(Properties base, String run, PrintWriter err) throws Exception {
        TopicNames trainerTopics = topics(run);
        TopicNames baselineTopics = new TopicNames(trainerTopics.samples(), run + "-base-models", run + "-base-weights",
                run + "-base-metrics", run + "-base-dead-letters");
        createTopics(base, trainerTopics);
        createTopics(base, baselineTopics);
        byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
        produce(base, trainerTopics.samples(), Lecture.MODEL_ID, i -> sample, samples, err);

        Network lecture = Lecture.network();
        int valueBytes = ModelStateSerde.encode(new ModelState(lecture, 1, 0.1)).length;
        int metricBytes = Serdes.TRAINING_METRIC.encode(TrainingMetric.newBuilder().setModelId(Lecture.MODEL_ID).setStep(1).setLoss(0.1)
                .setOutput(List.of(0.1, 0.9)).setTarget(List.of(0.01, 0.99)).setLossEma(0.1).setTimestamp(Instant.now()).build()).length;
        int weightsBytes = Serdes.WEIGHTS_UPDATE.encode(WeightsUpdates.of(Lecture.MODEL_ID, "step", lecture, 0, 0, 0)).length;

        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Properties a = withTopics(base, baselineTopics, run + "-baseline");
        ProgressBar barA = new ProgressBar(err, "(a) baseline", samples, !json);
        StreamsRun.Result ra = StreamsRun.run(a, BaselineTopology.build(baselineTopics, valueBytes, metricBytes, weightsBytes),
                baselineTopics.metrics(), samples, timeout, barA::update);
        barA.finish(samples);

        Properties b = withTopics(base, trainerTopics, run + "-trainer");
        ProgressBar barB = new ProgressBar(err, "(b) trainer ", samples, !json);
        StreamsRun.Result rb = StreamsRun.run(b, TrainerTopology.build(trainerTopics), trainerTopics.metrics(), samples, timeout, barB::update);
        barB.finish(samples);
        long changelog = StreamsRun.countRecords(b, run + "-trainer-" + TrainerTopology.STORE + "-changelog", timeout);

        figures.put("a_baseline_per_s", ra.perSecond());
        figures.put("b_trainer_per_s", rb.perSecond());
        figures.put("b_over_a", rb.perSecond() / ra.perSecond());
        figures.put("b_commits", rb.commits());
        figures.put("b_changelog_records", changelog);
        figures.put("b_changelog_per_commit_per_model", rb.commits() == 0 ? Double.NaN : (double) changelog / rb.commits());
        figures.put("commit_interval_ms", Long.parseLong(String.valueOf(b.getOrDefault(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"))));
    }

    /** (c): produce at half of (b)'s rate with the send time as record timestamp; the weights record keeps it. */
    private void latency(Properties base, String run, PrintWriter err) throws Exception {
        double rate = Math.max(100, ((Double) figures.get("b_trainer_per_s")) / 2);
        TopicNames t = topics(run + "-lat");
        createTopics(base, t);
        Properties p = withTopics(base, t, run + "-latency");
        Histogram histogram = new Histogram(60_000, 3);
        KafkaStreams streams = new KafkaStreams(TrainerTopology.build(t), p);
        AtomicBoolean sending = new AtomicBoolean(true);
        long warmupMs = 3_000;
        long sent;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(p);
             KafkaProducer<String, byte[]> producer = Clients.producer(p)) {
            Clients.assignAll(consumer, t.weights(), false);
            streams.start();
            new Trainer.RunningWait(streams).await(Duration.ofSeconds(60));
            byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
            long total = (long) (rate * (latencySeconds + warmupMs / 1000.0));
            long start = System.nanoTime();
            long measureFrom = System.currentTimeMillis() + warmupMs;
            Thread sender = new Thread(() -> {
                for (long i = 0; i < total && sending.get(); i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    producer.send(new ProducerRecord<>(t.samples(), null, System.currentTimeMillis(), Lecture.MODEL_ID, sample));
                }
                producer.flush();
            }, "bench-sender");
            sender.start();
            ProgressBar bar = new ProgressBar(err, "(c) latency ", total, !json);
            long received = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(latencySeconds + 60L).toNanos();
            while (received < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    received++;
                    if (r.timestamp() >= measureFrom && r.value() != null) {
                        histogram.recordValue(Math.max(0, Math.min(60_000, now - r.timestamp())));
                    }
                }
                bar.update(received);
            }
            bar.finish(received);
            sending.set(false);
            sender.join();
            sent = total;
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        figures.put("c_rate_per_s", rate);
        figures.put("c_samples", sent);
        figures.put("c_p50_ms", histogram.getValueAtPercentile(50));
        figures.put("c_p99_ms", histogram.getValueAtPercentile(99));
        figures.put("c_p999_ms", histogram.getValueAtPercentile(99.9));
        figures.put("c_max_ms", histogram.getMaxValue());
    }

    /** (d): a [784,128,10] model, publishEvery 1000, against the core trained in-process on the same samples. */
    private void bigModel(Properties base, String run, PrintWriter err) throws Exception {
        String specJson = "{\"layers\":[784,128,10],\"activation\":\"sigmoid\",\"learningRate\":0.1,\"seed\":42,\"publishEvery\":1000}";
        TopicNames t = topics(run + "-big");
        createTopics(base, t);
        Properties p = withTopics(base, t, run + "-big");
        String model = "mnist-shaped";
        KafkaStreams creator = new KafkaStreams(TrainerTopology.build(t), p);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(p);
             KafkaProducer<String, byte[]> producer = Clients.producer(p)) {
            Clients.assignAll(consumer, t.weights(), false);
            creator.start();
            producer.send(new ProducerRecord<>(t.models(), model, Serdes.MODEL_SPEC.encode(ModelSpecs.fromJson(specJson)))).get();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            boolean created = false;
            while (!created && System.nanoTime() < deadline) {
                created = consumer.poll(Duration.ofMillis(100)).count() > 0;
            }
            if (!created) {
                throw new UserException("the [784,128,10] model was not created within 120 s");
            }
        } finally {
            creator.close(Duration.ofSeconds(30));
        }
        SplittableRandom random = new SplittableRandom(7);
        int pool = 512;
        double[][] inputs = new double[pool][784];
        double[][] targets = new double[pool][10];
        byte[][] encoded = new byte[pool][];
        for (int i = 0; i < pool; i++) {
            for (int k = 0; k < 784; k++) {
                inputs[i][k] = random.nextDouble();
            }
            targets[i][random.nextInt(10)] = 1.0;
            encoded[i] = SampleCodec.toAvro(inputs[i], targets[i]);
        }
        produce(base, t.samples(), model, i -> encoded[(int) (i % pool)], bigSamples, err);
        ProgressBar bar = new ProgressBar(err, "(d) [784,128,10]", bigSamples, !json);
        StreamsRun.Result rd = StreamsRun.run(p, TrainerTopology.build(t), t.metrics(), bigSamples, Duration.ofSeconds(timeoutSeconds), bar::update);
        bar.finish(bigSamples);

        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(specJson));
        Network core = new Network(d.spec(), d.parameters());
        for (int i = 0; i < 3_000; i++) {
            core.step(inputs[i % pool], targets[i % pool]);
        }
        long steps = 0;
        long begin = System.nanoTime();
        while (System.nanoTime() - begin < 3_000_000_000L) {
            for (int i = 0; i < 100; i++, steps++) {
                core.step(inputs[(int) (steps % pool)], targets[(int) (steps % pool)]);
            }
        }
        double coreRate = steps / ((System.nanoTime() - begin) / 1e9);
        figures.put("d_big_per_s", rd.perSecond());
        figures.put("d_core_in_process_per_s", coreRate);
        figures.put("d_over_core", rd.perSecond() / coreRate);
        if (jmhBig > 0) {
            figures.put("d_jmh_per_s", jmhBig);
            figures.put("d_over_jmh", rd.perSecond() / jmhBig);
        }
    }

    private interface SampleSource {
        byte[] get(long i);
    }

    private void produce(Properties base, String topic, String key, SampleSource source, long n, PrintWriter err) {
        ProgressBar bar = new ProgressBar(err, "producing   ", n, !json);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(base)) {
            for (long i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, key, source.get(i)));
                if ((i & 1023) == 0) {
                    bar.update(i);
                }
            }
            producer.flush();
        }
        bar.finish(n);
    }

    private void print(PrintWriter out) {
        if (json) {
            ObjectNode o = new ObjectMapper().valueToTree(figures);
            out.println(o);
            out.flush();
            return;
        }
        out.println();
        out.printf(Locale.ROOT, "%-58s %s%n", "figure", "value");
        out.printf(Locale.ROOT, "%-58s %,.0f samples/s%n", "(a) baseline: same shape, no math", figures.get("a_baseline_per_s"));
        out.printf(Locale.ROOT, "%-58s %,.0f samples/s  (b)/(a) = %.0f%%%n", "(b) trainer: lecture model, publishEvery 1",
                figures.get("b_trainer_per_s"), 100 * (Double) figures.get("b_over_a"));
        out.printf(Locale.ROOT, "%-58s %,d records over %,d commits = %.2f per commit per model%n", "    changelog of (b)",
                figures.get("b_changelog_records"), figures.get("b_commits"), figures.get("b_changelog_per_commit_per_model"));
        if (figures.containsKey("c_p50_ms")) {
            out.printf(Locale.ROOT, "%-58s p50 %d ms, p99 %d ms, p99.9 %d ms (max %d)%n",
                    String.format(Locale.ROOT, "(c) produce → weights latency at %,.0f samples/s", figures.get("c_rate_per_s")),
                    figures.get("c_p50_ms"), figures.get("c_p99_ms"), figures.get("c_p999_ms"), figures.get("c_max_ms"));
            out.printf(Locale.ROOT, "%-58s %s ms%n", "    commit.interval.ms", figures.get("commit_interval_ms"));
        }
        if (figures.containsKey("d_big_per_s")) {
            out.printf(Locale.ROOT, "%-58s %,.0f samples/s  core in-process %,.0f steps/s, (d)/core = %.0f%%%n",
                    "(d) [784,128,10] sigmoid, publishEvery 1000", figures.get("d_big_per_s"), figures.get("d_core_in_process_per_s"),
                    100 * (Double) figures.get("d_over_core"));
            if (figures.containsKey("d_over_jmh")) {
                out.printf(Locale.ROOT, "%-58s %,.0f steps/s, (d)/JMH = %.0f%%%n", "    JMH figure given", figures.get("d_jmh_per_s"),
                        100 * (Double) figures.get("d_over_jmh"));
            }
        }
        out.flush();
    }

    private void status(PrintWriter err, String format, Object... args) {
        if (!json) {
            err.printf(format + "%n", args);
            err.flush();
        }
    }
}
