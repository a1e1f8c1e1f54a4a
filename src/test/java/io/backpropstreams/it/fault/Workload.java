package io.backpropstreams.it.fault;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.client.Clients;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a fault-injection scenario trains: a few small models of different kinds (so that every
 * part of the stored state is exercised: momentum velocity, trained biases, the sequential rule,
 * deeper nets, cross-entropy) and, per model, a deterministic list of samples from a seed.
 *
 * <p>Model ids are chosen so that they spread evenly over the partitions of {@code samples}.
 */
final class Workload {

    /** One model: its id, its JSON spec, and the samples it will be sent, in order. */
    record Model(String id, String specJson, ModelSpec spec, List<SampleCodec.Vectors> samples) {
    }

    /** Which kinds of model a workload trains. */
    enum Mix {
        /** Sigmoid, momentum, the sequential rule, cross-entropy, relu/linear: SGD and momentum. */
        CLASSIC(0),
        /**
         * A softmax classifier under Adam with an inverse-time schedule and standardised inputs, AdamW with
         * weight decay, clipping and a step schedule, RMSprop with an exponential schedule, and Nesterov:
         * every kind of optimizer state the model store keeps.
         */
        ADAPTIVE(5);

        final int firstKind;

        Mix(int firstKind) {
            this.firstKind = firstKind;
        }
    }

    private final Map<String, Model> models;

    private Workload(Map<String, Model> models) {
        this.models = models;
    }

    /**
     * @param seed             seeds the model initialisation and the samples
     * @param partitions       partitions of {@code samples}; models spread evenly over them
     * @param modelCount       how many models
     * @param samplesPerModel  samples each model gets
     */
    static Workload create(long seed, int partitions, int modelCount, int samplesPerModel) {
        return create(seed, partitions, modelCount, samplesPerModel, Mix.CLASSIC);
    }

    /** As {@link #create(long, int, int, int)}, with the kinds of {@code mix}. */
    static Workload create(long seed, int partitions, int modelCount, int samplesPerModel, Mix mix) {
        Random random = new Random(seed);
        Map<String, Model> models = new LinkedHashMap<>();
        int[] perPartition = new int[partitions];
        int maxPerPartition = (modelCount + partitions - 1) / partitions;
        for (int n = 1; models.size() < modelCount; n++) {
            String id = "m" + n;
            int p = partitionOf(id, partitions);
            if (perPartition[p] >= maxPerPartition) {
                continue;
            }
            perPartition[p]++;
            int kind = mix.firstKind + models.size() % 5;
            String spec = spec(kind, random.nextInt(1_000_000));
            ModelSpec parsed = ModelSpecs.fromJson(spec);
            List<Integer> layers = parsed.getLayers();
            List<SampleCodec.Vectors> samples = new ArrayList<>(samplesPerModel);
            for (int i = 0; i < samplesPerModel; i++) {
                samples.add(sample(random, kind, layers.get(0), layers.get(layers.size() - 1)));
            }
            models.put(id, new Model(id, spec, parsed, Collections.unmodifiableList(samples)));
        }
        return new Workload(Collections.unmodifiableMap(models));
    }

    /** The partition the default partitioner gives {@code key}: the one its samples, metrics and weights go to. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static String spec(int kind, int seed) {
        return switch (kind) {
            case 0 -> "{\"layers\":[2,3,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":" + seed + "}";
            case 1 -> "{\"layers\":[3,4,1],\"activation\":\"tanh\",\"learningRate\":0.05,\"trainBiases\":true,"
                    + "\"optimizer\":\"momentum\",\"momentum\":0.9,\"seed\":" + seed + "}";
            case 2 -> "{\"layers\":[2,2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"updateRule\":\"sequential\","
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
            case 3 -> "{\"layers\":[4,5,3,2],\"activation\":\"sigmoid\",\"loss\":\"cross-entropy\",\"learningRate\":0.1,"
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
            case 4 -> "{\"layers\":[3,6,2],\"activations\":[\"relu\",\"linear\"],\"init\":\"he\",\"learningRate\":0.01,"
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
            case 5 -> "{\"layers\":[4,8,3],\"activations\":[\"relu\",\"softmax\"],\"loss\":\"categorical-cross-entropy\","
                    + "\"init\":\"he\",\"learningRate\":0.01,\"optimizer\":\"adam\",\"schedule\":{\"kind\":\"inverse-time\",\"decay\":0.001},"
                    + "\"standardizeInputs\":true,\"trainBiases\":true,\"seed\":" + seed + "}";
            case 6 -> "{\"layers\":[4,5,2],\"activation\":\"sigmoid\",\"loss\":\"cross-entropy\",\"learningRate\":0.02,"
                    + "\"optimizer\":\"adamw\",\"weightDecay\":0.01,\"clipNorm\":1.0,\"schedule\":{\"kind\":\"step\",\"decay\":0.5,\"every\":1000},"
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
            case 7 -> "{\"layers\":[4,6,3],\"activations\":[\"tanh\",\"softmax\"],\"loss\":\"categorical-cross-entropy\","
                    + "\"learningRate\":0.005,\"optimizer\":\"rmsprop\",\"schedule\":{\"kind\":\"exponential\",\"decay\":0.9,\"every\":1000},"
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
            default -> "{\"layers\":[3,6,2],\"activation\":\"tanh\",\"learningRate\":0.01,\"optimizer\":\"nesterov\",\"momentum\":0.9,"
                    + "\"trainBiases\":true,\"seed\":" + seed + "}";
        };
    }

    private static SampleCodec.Vectors sample(Random random, int kind, int inputs, int outputs) {
        double[] x = new double[inputs];
        double sum = 0;
        for (int i = 0; i < inputs; i++) {
            x[i] = random.nextDouble();
            sum += x[i];
        }
        double mean = sum / inputs;
        double[] t = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            double v = j % 2 == 0 ? mean : x[0] * x[inputs - 1];
            v += 0.02 * random.nextGaussian();
            t[j] = switch (kind) {
                case 1, 8 -> Math.max(-0.9, Math.min(0.9, 2 * v - 1));       // tanh
                case 4 -> v;                                                   // linear
                default -> Math.max(0.02, Math.min(0.98, v));                  // sigmoid
            };
        }
        if (kind == 5 || kind == 7) {
            // one-hot: which third of [0, 1] the mean input falls in, with 5% label noise
            java.util.Arrays.fill(t, 0.0);
            int c = random.nextDouble() < 0.05 ? random.nextInt(outputs) : Math.min(outputs - 1, (int) (mean * outputs));
            t[c] = 1.0;
        }
        return new SampleCodec.Vectors(x, t);
    }

    Map<String, Model> models() {
        return models;
    }

    /** Model id to spec, for the {@link Ledger}. */
    Map<String, ModelSpec> specs() {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        models.forEach((id, m) -> specs.put(id, m.spec()));
        return specs;
    }

    /** Model id to the samples it is sent, for the {@link Ledger}. */
    Map<String, List<SampleCodec.Vectors>> samples() {
        Map<String, List<SampleCodec.Vectors>> s = new LinkedHashMap<>();
        models.forEach((id, m) -> s.put(id, m.samples()));
        return s;
    }

    long totalSamples() {
        return models.values().stream().mapToLong(m -> m.samples().size()).sum();
    }

    /** Sends every model's spec (JSON) to the models topic. */
    void sendSpecs(Properties client, TopicNames topics) {
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client)) {
            models.forEach((id, m) -> producer.send(new ProducerRecord<>(topics.models(), id, m.specJson().getBytes(StandardCharsets.UTF_8))));
            producer.flush();
        }
    }

    /**
     * Starts a thread that sends every sample (Avro), models interleaved, at about {@code rate} per
     * second. Its idempotent producer retries for up to {@code deliveryTimeout}, so that samples
     * survive a broker restart in order and once.
     */
    Sender startSending(Properties client, TopicNames topics, double rate, Duration deliveryTimeout) {
        Sender s = new Sender(new JavaSink(client, topics, deliveryTimeout), rate);
        s.thread.start();
        return s;
    }

    /**
     * Starts a thread that sends every sample as a JSON line through one {@code kcat -P} process,
     * with kcat's default settings and partitioner (librdkafka's {@code consistent_random}, CRC32 of
     * the key), so that most samples land on a partition other than their model's and are rerouted.
     */
    Sender startSendingWithKcat(String kcat, String bootstrap, TopicNames topics, double rate) {
        Sender s = new Sender(new KcatSink(kcat, bootstrap, topics), rate);
        s.thread.start();
        return s;
    }

    /** Where a {@link Sender} writes samples: a Java producer, or an external client's stdin. */
    private interface Sink extends AutoCloseable {
        void open() throws Exception;

        void send(Model m, SampleCodec.Vectors v, Sender counters) throws Exception;

        /** Flushes and closes; after it, every sample sent is acknowledged or an error is recorded. */
        @Override
        void close() throws Exception;
    }

    /** Avro samples through an idempotent Java producer; each acknowledgement is counted. */
    private static final class JavaSink implements Sink {
        private final Properties props = new Properties();
        private final TopicNames topics;
        private KafkaProducer<String, byte[]> producer;

        JavaSink(Properties client, TopicNames topics, Duration deliveryTimeout) {
            this.topics = topics;
            props.putAll(client);
            String ms = Long.toString(deliveryTimeout.toMillis());
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        }

        @Override
        public void open() {
            producer = Clients.producer(props);
        }

        @Override
        public void send(Model m, SampleCodec.Vectors v, Sender counters) {
            producer.send(new ProducerRecord<>(topics.samples(), m.id(), SampleCodec.toAvro(v.input(), v.target())),
                    (md, e) -> {
                        if (e == null) {
                            counters.acked.incrementAndGet();
                        } else {
                            counters.errors.add(e);
                        }
                    });
        }

        @Override
        public void close() {
            if (producer != null) {
                producer.flush();
                producer.close();
            }
        }
    }

    /**
     * JSON lines {@code id<TAB>{"input":…,"target":…}} on the stdin of {@code kcat -b B -t samples -K <TAB> -P}.
     * kcat reports no per-record acknowledgement; it exits 0 only if it delivered every line, so on a
     * clean exit all lines written count as acknowledged.
     */
    private static final class KcatSink implements Sink {
        private final List<String> command;
        private Process process;
        private java.io.Writer stdin;
        private long written;
        private Sender counters;
        private final java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();

        KcatSink(String kcat, String bootstrap, TopicNames topics) {
            this.command = List.of(kcat, "-b", bootstrap, "-t", topics.samples(), "-K", "\t", "-P");
        }

        @Override
        public void open() throws Exception {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            stdin = new java.io.BufferedWriter(new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            Thread drain = new Thread(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (java.io.IOException e) {
                    // the process is gone; its exit code tells
                }
            }, "kcat-output");
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        public void send(Model m, SampleCodec.Vectors v, Sender counters) throws Exception {
            this.counters = counters;
            stdin.write(m.id() + '\t' + SampleCodec.toJson(v.input(), v.target()) + '\n');
            // hand each line to kcat at once, so that the stream is paced like a live producer's
            stdin.flush();
            written++;
        }

        @Override
        public void close() throws Exception {
            if (process == null) {
                return;
            }
            stdin.close();
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kcat did not exit within 120 s of its stdin closing");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kcat exited with " + process.exitValue() + ": "
                        + output.toString(StandardCharsets.UTF_8));
            }
            if (counters != null) {
                counters.acked.addAndGet(written);
            }
        }
    }

    /** The sending thread and what it saw. */
    final class Sender {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final ConcurrentLinkedQueue<Exception> errors = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile Throwable crash;

        private Sender(Sink sink, double rate) {
            List<Model> list = new ArrayList<>(models.values());
            int longest = list.stream().mapToInt(m -> m.samples().size()).max().orElse(0);
            this.thread = new Thread(() -> {
                long t0 = System.nanoTime();
                try (Sink out = sink) {
                    out.open();
                    for (int i = 0; i < longest; i++) {
                        for (Model m : list) {
                            if (i >= m.samples().size()) {
                                continue;
                            }
                            out.send(m, m.samples().get(i), this);
                            long n = sent.incrementAndGet();
                            // pace: sample n is due at n / rate seconds
                            long dueNanos = t0 + (long) (n / rate * 1e9);
                            long ahead = dueNanos - System.nanoTime();
                            if (ahead > 2_000_000) {
                                Thread.sleep(ahead / 1_000_000);
                            }
                        }
                    }
                } catch (Throwable e) {
                    crash = e;
                }
            }, "fault-sender");
            thread.setDaemon(true);
        }

        boolean isDone() {
            return !thread.isAlive();
        }

        /** Waits for the thread to finish and fails if anything was not acknowledged. */
        void awaitDone(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new AssertionError("the sender did not finish within " + timeout.toSeconds() + " s (sent " + sent + ", acked " + acked + ")");
            }
            if (crash != null) {
                throw new AssertionError("the sender failed after " + sent + " samples", crash);
            }
            if (!errors.isEmpty()) {
                throw new AssertionError(errors.size() + " samples were not acknowledged; first: " + errors.peek(), errors.peek());
            }
            if (acked.get() != totalSamples()) {
                throw new AssertionError("acked " + acked + " of " + totalSamples() + " samples");
            }
        }

        void interrupt() {
            thread.interrupt();
        }
    }
}
