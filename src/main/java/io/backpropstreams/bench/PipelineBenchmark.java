package io.backpropstreams.bench;

import io.backpropstreams.client.Clients;
import io.backpropstreams.client.UserException;
import io.backpropstreams.service.ScratchCluster;
import io.backpropstreams.service.Trainer;

import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.report.ProgressBar;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.CommonClientConfigs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * How close the trainer runs to Kafka's own limit. First what users run ({@link RunBenchmark}):
 * the {@code run} command in its own JVM, fed JSON and Avro samples, against a no-math baseline
 * application in alternated rounds, then its produce-to-weights latency at half its JSON rate.
 * Then two in-process figures, labelled as such: (d) a [784,128,10] model against the core's own
 * speed and against the no-math baseline on the same records, and (e) on two partitions, samples already on their model's partition against samples
 * that all need rerouting. Samples are produced before timing starts.
 */
public final class PipelineBenchmark {

    /**
     * What to measure.
     *
     * @param samples          lecture samples per application and round
     * @param rounds           alternated rounds of baseline, run with JSON, run with Avro
     * @param jvmOptions       extra options for the JVMs of the applications measured (none: a user's defaults)
     * @param bigSamples       samples for (d); 0 skips it
     * @param latencySeconds   duration of the latency run; 0 skips it
     * @param jmhBig           JMH steps/s of the core for [784,128,10], to compare (d) with (0 = none)
     * @param bootstrapServers the user's cluster, or null for an embedded broker
     * @param timeoutSeconds   how long each phase may take
     * @param routingSamples   samples for each run of (e), direct and rerouted; 0 skips it
     */
    public record Settings(long samples, int rounds, List<String> jvmOptions, long bigSamples, int latencySeconds, double jmhBig, String bootstrapServers,
                           int timeoutSeconds, long routingSamples) {
    }

    private final Settings settings;
    private final ProgressBar.Factory progress;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private PipelineBenchmark(Settings settings, ProgressBar.Factory progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Runs every phase and returns the figures by name ({@code a_baseline_per_s}, {@code b_over_a}, …).
     *
     * @param config   Kafka Streams and client properties
     * @param status   sees one line per milestone
     * @param progress draws each phase
     */
    public static Map<String, Object> run(Properties config, Settings settings, Consumer<String> status, ProgressBar.Factory progress)
            throws Exception {
        Properties props = new Properties();
        props.putAll(config);
        PipelineBenchmark bench = new PipelineBenchmark(settings, progress);
        Path scratch = TrainerTopology.DEFAULT_STATE_DIR.resolveSibling("scratch");
        Files.createDirectories(scratch);
        Path workDir = Files.createTempDirectory(scratch, "backprop-bench-apps");
        try (ScratchCluster cluster = ScratchCluster.open(props, settings.bootstrapServers(), "backprop-bench")) {
            String run = "bench-" + Long.toHexString(System.nanoTime()).substring(4);
            status.accept(String.format(Locale.ROOT, "Benchmark %s on %s (%s).", run, props.getProperty("bootstrap.servers"),
                    cluster.embeddedBroker() == null ? "your cluster" : "embedded broker"));
            Properties users = new Properties();
            users.putAll(config);
            users.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, props.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
            RunBenchmark apps = new RunBenchmark(users, run, workDir, settings.jvmOptions(), Duration.ofSeconds(settings.timeoutSeconds()),
                    progress);
            apps.throughput(settings.samples(), settings.rounds(), bench.figures);
            if (settings.latencySeconds() > 0) {
                apps.latency((Double) bench.figures.get("run_json_per_s") / 2, settings.latencySeconds(),
                        Math.min(RunBenchmark.LATENCY_WARMUP_SAMPLES, settings.samples()), bench.figures);
            }
            props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
            // the in-process extras come after what users run: one that fails is reported beside the
            // figures already measured, not instead of them
            if (settings.bigSamples() > 0) {
                bench.extra("d", status, () -> bench.bigModel(props, run, status));
            }
            if (settings.routingSamples() > 0) {
                bench.extra("e", status, () -> bench.routing(props, run));
            }
        } finally {
            deleteRecursively(workDir);
        }
        return bench.figures;
    }

    /** One in-process extra measurement. */
    @FunctionalInterface
    private interface Extra {
        void measure() throws Exception;
    }

    /** Runs an extra; if it fails, its error goes into the figures as {@code <name>_error} and the benchmark goes on. */
    private void extra(String name, Consumer<String> status, Extra extra) {
        try {
            extra.measure();
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            figures.put(name + "_error", message);
            status.accept("in-process extra (" + name + ") failed: " + message);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a scratch directory
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
        createTopics(props, t, 1);
    }

    private void createTopics(Properties props, TopicNames t, int partitions) {
        Topics.createIfMissing(ClientConfigs.forClient(props, AdminClientConfig.configNames()), Trainer.topicSpecs(t, partitions));
    }

    /**
     * (d): a [784,128,10] model, publishEvery 1000, against the core trained in-process on the same
     * samples, then against {@link #bigBaseline} (its own extra: a failure there keeps (d)'s figures).
     */
    private void bigModel(Properties base, String run, Consumer<String> status) throws Exception {
        String specJson = "{\"layers\":[784,128,10],\"activation\":\"sigmoid\",\"learningRate\":0.1,\"seed\":42,\"publishEvery\":1000}";
        TopicNames t = topics(run + "-big");
        createTopics(base, t);
        Properties p = withTopics(base, t, run + "-big");
        String model = "mnist-shaped";
        KafkaStreams creator = new KafkaStreams(TrainerTopology.build(t, 1), p);
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
        produce(base, t.samples(), null, model, i -> encoded[(int) (i % pool)], settings.bigSamples());
        ProgressBar bar = progress.start("(d) [784,128,10]", settings.bigSamples());
        StreamsRun.Result rd = StreamsRun.run(p, TrainerTopology.build(t, 1), t.metrics(), settings.bigSamples(), Duration.ofSeconds(settings.timeoutSeconds()), bar::update);
        bar.finish(settings.bigSamples());

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
        // where the stream thread's time per sample went: the gap between (d) and the core
        figures.put("d_process_us_per_sample", 1000 * rd.processMsPerRecord());
        figures.put("d_commit_ms", rd.commitMs());
        figures.put("d_commits", rd.commits());
        if (settings.jmhBig() > 0) {
            figures.put("d_jmh_per_s", settings.jmhBig());
            figures.put("d_over_jmh", rd.perSecond() / settings.jmhBig());
        }
        // (d)'s figures stand even if its baseline fails
        extra("d_baseline", status, () -> {
            double baseline = bigBaseline(base, run, model, d, encoded, targets[0]);
            figures.put("d_baseline_per_s", baseline);
            figures.put("d_over_baseline", rd.perSecond() / baseline);
            // the most (d) could reach if the trainer cost Kafka's time per sample plus the core's step and nothing else
            double ceiling = 1 / (1 / baseline + 1 / coreRate);
            figures.put("d_ceiling_per_s", ceiling);
            figures.put("d_ceiling_over_core", ceiling / coreRate);
        });
    }

    /**
     * Kafka's own limit for (d)'s records: the no-math topology ({@link BaselineApp#topologyFor}) with the same samples, a stored
     * value of the encoded model's size, a metric of the same size per sample and a weights update
     * of the same size every {@code publishEvery} steps, in-process like (d). No decoding, no step:
     * what is left is what Kafka Streams and the broker cost for these 6 KB samples on this machine.
     * It runs about three times as fast as (d), so it gets three times the samples: a timing of
     * about as many commits.
     */
    private double bigBaseline(Properties base, String run, String model, ModelSpecs.Definition d, byte[][] encoded, double[] target) {
        TopicNames t = topics(run + "-big-baseline");
        createTopics(base, t);
        Properties p = withTopics(base, t, run + "-big-baseline");
        int pool = encoded.length;
        long n = 3 * settings.bigSamples();
        produce(base, t.samples(), null, model, i -> encoded[(int) (i % pool)], n);
        ProgressBar bar = progress.start("(d) no-math baseline", n);
        StreamsRun.Result r = StreamsRun.run(p, BaselineApp.topologyFor(t, model, new Network(d.spec(), d.parameters()), d.publishEvery(), target), t.metrics(),
                n, Duration.ofSeconds(settings.timeoutSeconds()), bar::update);
        bar.finish(n);
        return r.perSecond();
    }

    /**
     * (e): the lecture model on two partitions, once with every sample on the partition murmur2 of
     * its key gives (the direct path: what the Java producer does) and once with every sample on the
     * other partition (what a librdkafka client does for about half of all keys), so that each one
     * passes through the {@code rerouted} repartition topic before it is trained. Two alternated
     * rounds; the best of each is reported.
     */
    private void routing(Properties base, String run) throws Exception {
        int partitions = 2;
        int home = io.backpropstreams.topology.ModelPartitioner.partitionOf(Lecture.MODEL_ID.getBytes(java.nio.charset.StandardCharsets.UTF_8), partitions);
        byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
        Duration timeout = Duration.ofSeconds(settings.timeoutSeconds());
        long n = settings.routingSamples();
        // alternated rounds, best of each: the JIT warms up over the first runs, and this machine is noisy
        int rounds = 2;
        double[] perSecond = new double[2];
        String[] labels = {"(e) direct    ", "(e) rerouted  "};
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                String name = run + (k == 0 ? "-direct" : "-rerouted") + round;
                TopicNames t = topics(name);
                createTopics(base, t, partitions);
                int partition = k == 0 ? home : 1 - home;
                produce(base, t.samples(), partition, Lecture.MODEL_ID, i -> sample, n);
                Properties p = withTopics(base, t, name);
                ProgressBar bar = progress.start(labels[k] + (round + 1) + "/" + rounds, n);
                double r = StreamsRun.run(p, TrainerTopology.build(t, partitions), t.metrics(), n, timeout, bar::update).perSecond();
                bar.finish(n);
                perSecond[k] = Math.max(perSecond[k], r);
            }
        }
        figures.put("e_samples", n);
        figures.put("e_direct_per_s", perSecond[0]);
        figures.put("e_rerouted_per_s", perSecond[1]);
        figures.put("e_rerouted_over_direct", perSecond[1] / perSecond[0]);
    }

    private interface SampleSource {
        byte[] get(long i);
    }

    /** Produces {@code n} samples under {@code key}, to {@code partition} (null: the producer's partitioner). */
    private void produce(Properties base, String topic, Integer partition, String key, SampleSource source, long n) {
        ProgressBar bar = progress.start("producing   ", n);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(base)) {
            for (long i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, partition, key, source.get(i)));
                if ((i & 1023) == 0) {
                    bar.update(i);
                }
            }
            producer.flush();
        }
        bar.finish(n);
    }
}
