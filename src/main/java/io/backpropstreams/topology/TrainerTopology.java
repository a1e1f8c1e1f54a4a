package io.backpropstreams.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Properties;

/**
 * Builds the trainer's {@link Topology}. Pure: it starts nothing and touches no network, so
 * tests build exactly the topology production runs.
 *
 * <pre>
 *  samples-source ─┐                        ┌─► weights-sink       (String, WeightsUpdate)
 *                  ├─► trainer [model-store] ├─► metrics-sink       (String, TrainingMetric)
 *  models-source  ─┘                        └─► dead-letters-sink  (original bytes + reason headers)
 * </pre>
 * Sources read raw bytes so that a value that does not decode still reaches the trainer, which
 * dead-letters it with its original bytes. {@code samples} and {@code models} feed one processor
 * and are therefore co-partitioned: a model's spec and its samples meet in the same task.
 * Every node and the store are named, so internal topic names stay stable across versions.
 */
public final class TrainerTopology {

    /** Source of the samples topic. */
    public static final String SAMPLES_SOURCE = "samples-source";
    /** Source of the models topic. */
    public static final String MODELS_SOURCE = "models-source";
    /** The training processor. */
    public static final String TRAINER = "trainer";
    /** The model store; its changelog is {@code <application.id>-model-store-changelog}. */
    public static final String STORE = "model-store";
    /** Sink of the weights topic. */
    public static final String WEIGHTS_SINK = "weights-sink";
    /** Sink of the metrics topic. */
    public static final String METRICS_SINK = "metrics-sink";
    /** Sink of the dead-letter topic. */
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    /**
     * Largest record the trainer writes: a whole model on {@code weights} and in the changelog, or a
     * bad input record plus its headers on {@code dead-letters}. The producer and the output topics
     * it creates are configured for it; {@code ModelSpecs} refuses models that would not fit.
     */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    /** Default {@code application.id}. */
    public static final String DEFAULT_APPLICATION_ID = "backprop-streams";

    private TrainerTopology() {
    }

    /** The trainer topology over {@code topics}. */
    public static Topology build(TopicNames topics) {
        Topology t = new Topology();
        t.addSource(SAMPLES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.samples());
        t.addSource(MODELS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.models());
        t.addProcessor(TRAINER, () -> new TrainerProcessor(topics, STORE), SAMPLES_SOURCE, MODELS_SOURCE);
        t.addStateStore(modelStore(), TRAINER);
        t.addSink(WEIGHTS_SINK, topics.weights(), new StringSerializer(),
                io.backpropstreams.avro.Serdes.WEIGHTS_UPDATE.serializer(), TRAINER);
        t.addSink(METRICS_SINK, topics.metrics(), new StringSerializer(),
                io.backpropstreams.avro.Serdes.TRAINING_METRIC.serializer(), TRAINER);
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
        p.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG,
                java.nio.file.Path.of(System.getProperty("user.home"), ".backprop-streams", "state").toString());
        // A bug-triggered exception must not stop the trainer: the record goes to the dead-letter
        // topic (Kafka Streams' own DLQ support) with its __streams.errors.* headers.
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler.class.getName());
        p.putIfAbsent(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, TopicNames.from(p).deadLetters());
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        return p;
    }
}
