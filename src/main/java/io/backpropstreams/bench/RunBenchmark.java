package io.backpropstreams.bench;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.client.Clients;
import io.backpropstreams.client.UserException;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.report.ProgressBar;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.topology.TopicNames;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * {@code run} measured as users start it: its own JVM, the HTTP server and the training monitor on,
 * every default kept, fed lecture samples as JSON and as Avro. Against it, in the same session and
 * in alternated rounds, the no-math {@link BaselineApp}, also in its own JVM. All samples are on
 * the topic before an application starts; each is timed from outside by its committed input
 * offsets ({@link CommittedProgress}), from its first commit to the last. Each round uses fresh
 * topics and application ids, deleted afterwards. A first, shorter round of each is not counted:
 * on this kind of machine the broker's throughput climbs over its first minute.
 *
 * <p>Then the latency: a fresh {@code run} fed JSON samples at half the median JSON rate, each
 * stamped with its send time; a {@code read_committed} consumer of {@code weights} records the
 * time from that stamp to when the sample's weights update became visible.
 */
final class RunBenchmark {

    /** The three applications of a round, in the order they run. */
    enum Contender {
        BASELINE("baseline (no math)"), RUN_JSON("run, JSON samples"), RUN_AVRO("run, Avro samples");

        final String label;

        Contender(String label) {
            this.label = label;
        }
    }

    private static final Pattern BASELINE_READY = Pattern.compile("Baseline running");

    private final Properties base;
    private final String run;
    private final Path workDir;
    private final List<String> jvmOptions;
    private final ProgressBar.Factory progress;
    private final Duration timeout;

    RunBenchmark(Properties base, String run, Path workDir, List<String> jvmOptions, Duration timeout, ProgressBar.Factory progress) {
        this.base = base;
        this.run = run;
        this.workDir = workDir;
        this.jvmOptions = jvmOptions;
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * Measures {@code rounds} alternated rounds of {@code samples} each and puts the figures in
     * {@code figures}: per-round rates ({@code run_json_per_s_rounds}, …), their medians, and the
     * ratios of the medians to the baseline's median.
     */
    void throughput(long samples, int rounds, Map<String, Object> figures) throws Exception {
        String jsonTopic = run + "-json-samples";
        String avroTopic = run + "-avro-samples";
        Topics.createIfMissing(admin(), List.of(
                io.backpropstreams.kafka.TopicSpec.of(jsonTopic, Trainer.DEFAULT_PARTITIONS),
                io.backpropstreams.kafka.TopicSpec.of(avroTopic, Trainer.DEFAULT_PARTITIONS)));
        produce(jsonTopic, SampleCodec.toJson(Lecture.INPUT, Lecture.TARGET).getBytes(StandardCharsets.UTF_8), samples, "JSON");
        produce(avroTopic, SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET), samples, "Avro");
        Map<Contender, double[]> rates = new LinkedHashMap<>();
        for (Contender c : Contender.values()) {
            rates.put(c, new double[rounds]);
        }
        try (Admin admin = Admin.create(admin())) {
            // not counted: the broker's own JIT and page cache warm up on a third of a round of each kind
            for (Contender c : Contender.values()) {
                String name = run + "-warmup-" + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                timeOne(admin, c, name, c == Contender.RUN_AVRO ? avroTopic : jsonTopic, samples / 3,
                        String.format(java.util.Locale.ROOT, "%-19s warm-up", c.label));
            }
            for (int round = 0; round < rounds; round++) {
                for (Contender c : Contender.values()) {
                    String name = run + "-" + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + (round + 1);
                    String samplesTopic = c == Contender.RUN_AVRO ? avroTopic : jsonTopic;
                    String label = String.format(java.util.Locale.ROOT, "%-19s %d/%d", c.label, round + 1, rounds);
                    rates.get(c)[round] = timeOne(admin, c, name, samplesTopic, samples, label);
                }
            }
        }
        double baseline = median(rates.get(Contender.BASELINE));
        figures.put("samples_per_round", samples);
        figures.put("rounds", rounds);
        for (Contender c : Contender.values()) {
            String key = c.name().toLowerCase(java.util.Locale.ROOT);
            figures.put(key + "_per_s_rounds", rates.get(c));
            figures.put(key + "_per_s", median(rates.get(c)));
        }
        figures.put("run_json_over_baseline", median(rates.get(Contender.RUN_JSON)) / baseline);
        figures.put("run_avro_over_baseline", median(rates.get(Contender.RUN_AVRO)) / baseline);
        // each round's run beside that round's baseline: slow drifts of the machine cancel out
        figures.put("run_json_over_baseline_paired", median(ratios(rates.get(Contender.RUN_JSON), rates.get(Contender.BASELINE))));
        figures.put("run_avro_over_baseline_paired", median(ratios(rates.get(Contender.RUN_AVRO), rates.get(Contender.BASELINE))));
        figures.put("commit_interval_ms", commitIntervalMs());
    }

    /** Starts one application on its own topics, waits until it has committed every sample, stops it, deletes its topics. */
    private double timeOne(Admin admin, Contender c, String name, String samplesTopic, long samples, String label) throws Exception {
        TopicNames topics = topics(name, samplesTopic);
        Path config = writeConfig(name, topics);
        List<String> args = new ArrayList<>(List.of(c == Contender.BASELINE ? "bench-baseline" : "run",
                "--bootstrap-servers", base.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), "--config", config.toString()));
        if (c != Contender.BASELINE) {
            args.addAll(List.of("--http-port", "0"));
        }
        ProgressBar bar = progress.start(label, samples);
        CommittedProgress.Result result;
        try (AppProcess app = AppProcess.start(name, jvmOptions, args, workDir.resolve(name + ".log"))) {
            result = CommittedProgress.await(admin, name, samplesTopic, samples, timeout, app::checkAlive, bar::update);
        } finally {
            deleteTopics(admin, name);
        }
        bar.finish(samples);
        return result.perSecond();
    }

    /** Samples a fresh {@code run} trains before its latency is measured (at most), so that its JIT has warmed up. */
    static final long LATENCY_WARMUP_SAMPLES = 100_000;

    /**
     * Produce-to-committed-weights latency of a fresh {@code run} fed JSON samples at {@code rate}
     * for {@code seconds}. First it trains {@value #LATENCY_WARMUP_SAMPLES} samples as fast as it
     * can (its JIT warms up, as it would in a long-running trainer), then the paced samples start;
     * those of the first 2 s are not counted.
     */
    void latency(double rate, int seconds, long warmupSamples, Map<String, Object> figures) throws Exception {
        String name = run + "-latency";
        TopicNames topics = topics(name, name + "-samples");
        Path config = writeConfig(name, topics);
        Histogram histogram = new Histogram(60_000, 3);
        // the worst latency of the samples sent in each 250 ms: tells a single stall from a trainer that cannot keep up
        java.util.TreeMap<Long, Long> worstPerQuarterSecond = new java.util.TreeMap<>();
        long warmupMs = 2_000;
        long total = (long) (rate * (seconds + warmupMs / 1000.0));
        byte[] sample = SampleCodec.toJson(Lecture.INPUT, Lecture.TARGET).getBytes(StandardCharsets.UTF_8);
        Properties client = new Properties();
        client.putAll(base);
        long received = 0;
        try (Admin admin = Admin.create(admin());
             AppProcess app = AppProcess.start(name, jvmOptions, List.of("run", "--bootstrap-servers",
                     base.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), "--config", config.toString(), "--http-port", "0"),
                     workDir.resolve(name + ".log"));
             KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(client);
             KafkaProducer<String, byte[]> producer = Clients.producer(client)) {
            try {
                app.awaitHttpPort(Duration.ofSeconds(120));
                ProgressBar warm = progress.start("latency warm-up", warmupSamples);
                for (long i = 0; i < warmupSamples; i++) {
                    producer.send(new ProducerRecord<>(topics.samples(), Lecture.MODEL_ID, sample));
                }
                producer.flush();
                CommittedProgress.await(admin, name, topics.samples(), warmupSamples, timeout, app::checkAlive, warm::update);
                warm.finish(warmupSamples);
                Clients.assignAll(consumer, topics.weights(), false);
                AtomicBoolean sending = new AtomicBoolean(true);
                long start = System.nanoTime();
                long measureFrom = System.currentTimeMillis() + warmupMs;
                // wall-clock start of the first window, to line the windows up with a JFR recording or a log
                figures.put("latency_windows_from_epoch_ms", measureFrom);
                Thread sender = new Thread(() -> {
                    for (long i = 0; i < total && sending.get(); i++) {
                        long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        producer.send(new ProducerRecord<>(topics.samples(), null, System.currentTimeMillis(), Lecture.MODEL_ID, sample));
                    }
                    producer.flush();
                }, "bench-sender");
                sender.start();
                ProgressBar bar = progress.start(String.format(java.util.Locale.ROOT, "latency at %,.0f/s", rate), total);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60L);
                while (received < total && System.nanoTime() < deadline) {
                    app.checkAlive();
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.currentTimeMillis();
                        received++;
                        if (r.timestamp() >= measureFrom && r.value() != null) {
                            histogram.recordValue(Math.max(0, Math.min(60_000, now - r.timestamp())));
                            worstPerQuarterSecond.merge((r.timestamp() - measureFrom) / 250, now - r.timestamp(), Math::max);
                        }
                    }
                    bar.update(received);
                }
                bar.finish(received);
                sending.set(false);
                sender.join();
            } finally {
                deleteTopics(admin, name);
            }
        }
        if (histogram.getTotalCount() == 0) {
            throw new UserException("the latency run saw no weights update within " + (seconds + 60) + " s");
        }
        figures.put("latency_rate_per_s", rate);
        figures.put("latency_samples", histogram.getTotalCount());
        figures.put("latency_p50_ms", histogram.getValueAtPercentile(50));
        figures.put("latency_p99_ms", histogram.getValueAtPercentile(99));
        figures.put("latency_p999_ms", histogram.getValueAtPercentile(99.9));
        figures.put("latency_max_ms", histogram.getMaxValue());
        figures.put("latency_worst_ms_per_250ms", new java.util.ArrayList<>(worstPerQuarterSecond.values()));
    }

    private TopicNames topics(String name, String samplesTopic) {
        return new TopicNames(samplesTopic, name + "-models", name + "-weights", name + "-metrics", name + "-dead-letters");
    }

    /** The application's properties file: the user's settings, its application id and its topic names. */
    private Path writeConfig(String name, TopicNames topics) throws IOException {
        Properties p = new Properties();
        for (String key : base.stringPropertyNames()) {
            if (!key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) && !key.equals(StreamsConfig.STATE_DIR_CONFIG)) {
                p.setProperty(key, base.getProperty(key));
            }
        }
        p.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, name);
        p.setProperty(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve(name + "-state").toString());
        p.setProperty(TopicNames.PREFIX + "samples", topics.samples());
        p.setProperty(TopicNames.PREFIX + "models", topics.models());
        p.setProperty(TopicNames.PREFIX + "weights", topics.weights());
        p.setProperty(TopicNames.PREFIX + "metrics", topics.metrics());
        p.setProperty(TopicNames.PREFIX + "dead-letters", topics.deadLetters());
        Path file = workDir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "bench: " + name);
        }
        return file;
    }

    /** Removes every topic of one application (its own and Kafka Streams' internal ones), to keep the broker small. */
    private static void deleteTopics(Admin admin, String name) {
        try {
            List<String> doomed = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(name + "-")).toList();
            admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a scratch cluster: a topic left behind costs a little disk, not a wrong figure
        }
    }

    private void produce(String topic, byte[] value, long n, String format) {
        ProgressBar bar = progress.start(String.format(java.util.Locale.ROOT, "producing %-5s", format), n);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(base)) {
            for (long i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, Lecture.MODEL_ID, value));
                if ((i & 4095) == 0) {
                    bar.update(i);
                }
            }
            producer.flush();
        }
        bar.finish(n);
    }

    private Properties admin() {
        return ClientConfigs.forClient(base, AdminClientConfig.configNames());
    }

    private long commitIntervalMs() {
        Properties p = io.backpropstreams.topology.TrainerTopology.streamsConfig(base, null);
        return new StreamsConfig(p).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    static double[] ratios(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
