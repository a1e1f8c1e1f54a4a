package io.backpropstreams.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Properties;

/**
 * Builds the trainer's {@link Topology}. Pure: it starts nothing and touches no network, so
 * tests build exactly the topology production runs.
 *
 * <pre>
 *  samples, models,   ─► input-source ─► router ─┬──────────────────────────────┐
 *  predict-requests                              │                              ▼          ┌─► weights-sink      (String, WeightsUpdate)
 *                                                └─► rerouted-repartition ─► trainer [model-store] ─► metrics-sink      (String, TrainingMetric)
 *                                                    (internal, by murmur2(key))                   ├─► progress-sink     (String, TrainingProgress)
 *                                                                                                  ├─► predictions-sink  (String, Prediction)
 *                                                                                                  └─► dead-letters-sink (original bytes + reason headers)
 * </pre>
 * The source reads raw bytes so that a value that does not decode still reaches the trainer, which
 * dead-letters it with its original bytes. {@code samples}, {@code models} and
 * {@code predict-requests} feed one processor and are therefore co-partitioned: a model's spec, its
 * samples and the requests for its predictions meet in the same task, the task of the partition
 * murmur2 of the model id gives; a request is answered ({@link Predictor}) with the model that task
 * holds, in the same transaction as the steps it reflects. The {@link ModelRouter} sends a record that a
 * producer put on another partition (librdkafka's CRC32 default, an explicit partition) through the
 * internal {@code <application.id>-rerouted-repartition} topic to that task.
 * Every node and the store are named, so internal topic names stay stable across versions.
 */
public final class TrainerTopology {

    /** Source of the samples and models topics. */
    public static final String INPUT_SOURCE = "input-source";
    /** Sends each record to the task of its model, directly or through the rerouted topic. */
    public static final String ROUTER = "router";
    /** Name of the repartition step; its topic is {@code <application.id>-rerouted-repartition}. */
    public static final String REROUTE = "rerouted";
    /** Suffix Kafka Streams gives a repartition topic. */
    static final String REPARTITION_SUFFIX = "-repartition";

    /** The repartition topics of an application, which Kafka Streams purges (delete-records) after each commit. */
    public static java.util.List<String> repartitionTopics(String applicationId) {
        return java.util.List.of(applicationId + "-" + REROUTE + REPARTITION_SUFFIX);
    }
    /** The training processor. */
    public static final String TRAINER = "trainer";
    /** The model store; its changelog is {@code <application.id>-model-store-changelog}. */
    public static final String STORE = "model-store";
    /** Sink of the weights topic. */
    public static final String WEIGHTS_SINK = "weights-sink";
    /** Sink of the metrics topic. */
    public static final String METRICS_SINK = "metrics-sink";
    /** Sink of {@code TrainingProgress} records. */
    public static final String PROGRESS_SINK = "progress-sink";
    /**
     * How often each task writes the progress of the models it trained: the monitor's view lags
     * the trainer by at most this plus one commit.
     */
    public static final java.time.Duration PROGRESS_INTERVAL = java.time.Duration.ofMillis(200);
    /** Sink of {@code Prediction} records, one per answered predict request. */
    public static final String PREDICTIONS_SINK = "predictions-sink";
    /** Sink of the drift topic ({@code DriftDetection}). */
    public static final String DRIFT_SINK = "drift-sink";
    /** Sink of the dead-letter topic. */
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    /**
     * Largest record the trainer writes: a whole model on {@code weights} and in the changelog, or a
     * bad input record plus its headers on {@code dead-letters}. The producer and the output topics
     * it creates are configured for it; {@code ModelSpecs} refuses models that would not fit.
     */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    /**
     * Default {@code state.dir}: {@code ~/.backprop-streams/state}. Kafka Streams' own default lies in
     * the OS temp directory, which the OS may clear under a running trainer (and Streams warns so).
     */
    public static final java.nio.file.Path DEFAULT_STATE_DIR =
            java.nio.file.Path.of(System.getProperty("user.home"), ".backprop-streams", "state");

    /** Default {@code application.id}. */
    public static final String DEFAULT_APPLICATION_ID = "backprop-streams";

    private TrainerTopology() {
    }

    /**
     * The trainer topology over {@code topics}.
     *
     * @param partitions partitions of {@code samples}, {@code models} and {@code predict-requests} (they must be equal)
     */
    public static Topology build(TopicNames topics, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        java.util.List<String> inputs = java.util.List.of(topics.samples(), topics.models(), topics.predictRequests());
        if (new java.util.HashSet<>(inputs).size() != inputs.size()) {
            // the trainer tells specs, requests and samples apart by their topic
            throw new IllegalArgumentException("the samples, models and predict-requests topics must be three topics, got " + inputs);
        }
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], byte[]> input = builder.stream(inputs,
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(INPUT_SOURCE));
        // Kafka Streams names the repartition's first node <name>-repartition-filter (it drops null keys)
        KStream<byte[], byte[]> routed = input.process(
                () -> new ModelRouter(partitions, TRAINER, REROUTE + REPARTITION_SUFFIX + "-filter"), Named.as(ROUTER));
        routed.repartition(Repartitioned.<byte[], byte[]>as(REROUTE)
                .withKeySerde(Serdes.ByteArray())
                .withValueSerde(Serdes.ByteArray())
                .withNumberOfPartitions(partitions)
                .withStreamPartitioner(new ModelPartitioner()));
        Topology t = builder.build();
        t.addProcessor(TRAINER, () -> new TrainerProcessor(topics, STORE, partitions), ROUTER,
                REROUTE + REPARTITION_SUFFIX + "-source");
        t.addStateStore(modelStore(), TRAINER);
        // weights and metrics arrive encoded (OutputEncoder: the bytes Serdes.WEIGHTS_UPDATE and TRAINING_METRIC write)
        t.addSink(WEIGHTS_SINK, topics.weights(), new StringSerializer(), new ByteArraySerializer(), TRAINER);
        t.addSink(METRICS_SINK, topics.metrics(), new StringSerializer(), new ByteArraySerializer(), TRAINER);
        t.addSink(PROGRESS_SINK, topics.progress(), new StringSerializer(),
                io.backpropstreams.avro.Serdes.TRAINING_PROGRESS.serializer(), TRAINER);
        // predictions arrive encoded too (OutputEncoder: the bytes Serdes.PREDICTION writes)
        t.addSink(PREDICTIONS_SINK, topics.predictions(), new StringSerializer(), new ByteArraySerializer(), TRAINER);
        t.addSink(DRIFT_SINK, topics.drift(), new StringSerializer(), io.backpropstreams.avro.Serdes.DRIFT_DETECTION.serializer(), TRAINER);
        t.addSink(DEAD_LETTERS_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(), TRAINER);
        return t;
    }

    /**
     * A persistent, logged store with caching, inside a {@link CommitTimeStore}: each model is
     * serialised into it once per commit, so the changelog receives one record per model per
     * commit and a large model is not re-serialised for every sample.
     */
    static StoreBuilder<CommitTimeStore> modelStore() {
        return CommitTimeStore.around(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), new ModelStateSerde())
                .withCachingEnabled()
                .withLoggingEnabled(java.util.Map.of("max.message.bytes", Integer.toString(MAX_RECORD_BYTES))));
    }

    /**
     * Streams configuration: {@code overrides} first (a properties file, {@code --config}), then
     * these defaults where absent: exactly-once v2, {@value #DEFAULT_APPLICATION_ID} as
     * application id, state in {@code ~/.backprop-streams/state}, unexpected processing errors
     * dead-lettered rather than fatal, and the given bootstrap servers.
     */
    public static Properties streamsConfig(Properties overrides, String bootstrapServers) {
        Properties p = new Properties();
        p.putAll(overrides);
        if (bootstrapServers != null) {
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        p.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        p.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putIfAbsent(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                Integer.toString(MAX_RECORD_BYTES));
        p.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG, DEFAULT_STATE_DIR.toString());
        // Each task reads four partitions (samples, models, predict-requests, rerouted) and most are
        // empty most of the time. With the default max.task.idle.ms=0, Kafka 4.4 checks every empty partition's lag
        // before every record and formats a log line for it whether or not TRACE is on
        // (PartitionGroup.readyToProcess): a quarter of the stream thread's time in `run`. With -1
        // a task processes what it has fetched without that check. The trade-off is in the README
        // (Performance): a spec and samples of a new model that were sent while the trainer was down
        // may, on a multi-broker cluster, be fetched in different responses at start-up.
        p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // A bug-triggered exception in a stateless processor must not stop the trainer: the record
        // goes to the dead-letter topic (Kafka Streams' own DLQ support) with its __streams.errors.*
        // headers. Kafka's own errors (a failed send) fail instead: see TrainerProcessingErrors.
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, TrainerProcessingErrors.class.getName());
        p.putIfAbsent(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, TopicNames.from(p).deadLetters());
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        return p;
    }
}
