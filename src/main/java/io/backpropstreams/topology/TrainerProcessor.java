package io.backpropstreams.topology;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.OutputEncoder;
import io.backpropstreams.nn.Classification;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.StepRejectedException;
import io.backpropstreams.schema.DriftDetection;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.schema.TrainingProgress;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Trains the model each sample's key names, creates, resets and deletes models from the
 * {@code models} topic, and answers predict requests with the model as it stands ({@link Predictor}).
 *
 * <p>Per sample: decode, validate against the model, one forward/backward/update step of the
 * core, store the new state, then emit a {@code TrainingMetric} (loss before the update and, for a
 * one-hot target, whether the output before the update classified it correctly) and,
 * every {@code publishEvery} steps, a {@code WeightsUpdate}. Anything that cannot be applied goes
 * to the dead-letter sink with its reason, and the model is not touched. Every
 * {@link TrainerTopology#PROGRESS_INTERVAL}, one {@code TrainingProgress} per model trained since
 * (see {@link ProgressTracker}); on create and reset one at step 0, on delete a tombstone.
 *
 * <p>The store is the source of truth. Live {@link ModelState} objects are also kept in a map so
 * that a model is deserialised once per task life, not once per sample; the map is emptied in
 * {@link #init}, which Kafka Streams calls again whenever a task is re-created or revived after an
 * aborted transaction, so it never outlives the store contents it mirrors.
 */
public final class TrainerProcessor implements Processor<byte[], byte[], Object, Object> {

    /** Where a record was first read: its own metadata, or the origin headers of a rerouted record. */
    record Origin(String topic, int partition, long offset) {
    }

    private final TopicNames topics;
    private final String storeName;
    private final int partitions;
    private String reroutedTopic;
    private final Map<String, ModelState> live = new HashMap<>();
    private final ProgressTracker progress = new ProgressTracker();
    private final OutputEncoder encoder = new OutputEncoder();
    private final Predictor predictor = new Predictor();
    /** The last forward pass's outputs, reused while the output size stays the same. */
    private double[] output = new double[0];
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, ModelState> store;
    /** Set once the record being processed has changed a model; see {@link #process}. */
    private boolean touched;

    /**
     * @param topics    topic names; records from {@code topics.models()} are specs, from
     *                  {@code topics.predictRequests()} predict requests, all others samples
     * @param storeName the model store connected to this processor
     * @param partitions partitions of the input topics, to name a model's partition in dead letters
     */
    public TrainerProcessor(TopicNames topics, String storeName, int partitions) {
        this.topics = topics;
        this.storeName = storeName;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.reroutedTopic = context.applicationId() + "-" + TrainerTopology.REROUTE + TrainerTopology.REPARTITION_SUFFIX;
        live.clear();
        progress.clear();
        context.schedule(TrainerTopology.PROGRESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::publishProgress);
    }

    /** Writes one {@code TrainingProgress} per model trained since the last call, into the open transaction. */
    private void publishProgress(long nowMs) {
        if (progress.isEmpty()) {
            return;
        }
        for (TrainingProgress p : progress.drain(nowMs)) {
            context.forward(new Record<>(p.getModelId(), p, nowMs), TrainerTopology.PROGRESS_SINK);
        }
    }

    /**
     * Applies one record. Anything it throws that is not Kafka's own (a bug, or input no check
     * foresaw) before the model was touched dead-letters the record as {@code internal-error}
     * naming the exception, so that no record is lost and none goes without a reason. After the
     * model was touched (a step taken, a state stored) nothing short of the changelog can undo it,
     * so the error is raised as a {@code StreamsException} instead, which
     * {@link TrainerProcessingErrors} fails: the stream thread stops and its open transaction is
     * aborted, so nothing of the record is committed, and {@code run} stops with the error. Kafka's
     * exceptions (a failed send, a fenced producer, a migrated task) propagate as they are, and fail
     * the same way, never skipping the record.
     */
    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Origin origin = origin(record, meta);
        touched = false;
        try {
            if (origin.topic().equals(topics.models())) {
                onSpec(record, origin);
            } else if (origin.topic().equals(topics.predictRequests())) {
                onPredictRequest(record, origin);
            } else {
                onSample(record, origin);
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            if (touched) {
                throw new org.apache.kafka.streams.errors.StreamsException("internal error after the model was updated, at "
                        + origin.topic() + "-" + origin.partition() + "@" + origin.offset() + "; the transaction is aborted", e);
            }
            deadLetter(record, origin, "internal-error", e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** The record's own topic, partition and offset; for a rerouted record, those {@link ModelRouter} saw. */
    private Origin origin(Record<byte[], byte[]> record, RecordMetadata meta) {
        if (!meta.topic().equals(reroutedTopic)) {
            return new Origin(meta.topic(), meta.partition(), meta.offset());
        }
        Headers h = record.headers();
        String topic = DeadLetters.header(h, ModelRouter.ORIGIN_TOPIC);
        String partition = DeadLetters.header(h, ModelRouter.ORIGIN_PARTITION);
        String offset = DeadLetters.header(h, ModelRouter.ORIGIN_OFFSET);
        h.remove(ModelRouter.ORIGIN_TOPIC);
        h.remove(ModelRouter.ORIGIN_PARTITION);
        h.remove(ModelRouter.ORIGIN_OFFSET);
        try {
            return new Origin(topic == null ? topics.samples() : topic, Integer.parseInt(partition), Long.parseLong(offset));
        } catch (NumberFormatException e) {
            // only the router writes this topic; keep the record rather than lose it over its bookkeeping
            return new Origin(topic == null ? topics.samples() : topic, meta.partition(), meta.offset());
        }
    }

    /** A record's model: its id, its readable state, and whether that state is the built-in lecture made new for it. */
    private record Target(String id, ModelState state, boolean implicitLecture) {
    }

    /**
     * The model a sample or predict request names. The built-in lecture exists before its first
     * sample: it comes back new, and nothing is stored here. Null once the record has been
     * dead-lettered for a missing key, an invalid id, an unreadable or an unknown model.
     *
     * @param what    the record, as messages name it ("sample", "predict request")
     * @param purpose what the key's model is for ("train", "ask"), for the missing-key message
     */
    private Target target(Record<byte[], byte[]> record, Origin meta, String what, String purpose) {
        if (record.key() == null) {
            deadLetter(record, meta, "missing-key", what + " has no key; the key names the model to " + purpose);
            return null;
        }
        String id = new String(record.key(), StandardCharsets.UTF_8);
        String badId = ModelIds.problem(id);
        if (badId != null) {
            deadLetter(record, meta, "invalid-model-id", badId);
            return null;
        }
        ModelState state = lookup(id);
        if (state != null && !state.isReadable()) {
            deadLetter(record, meta, "unreadable-model", "model '" + id + "' is unavailable: its stored state cannot be read ("
                    + state.unreadableReason() + "); send its spec again to reset it");
            return null;
        }
        boolean implicitLecture = state == null && Lecture.MODEL_ID.equals(id);
        if (implicitLecture) {
            state = new ModelState(Lecture.network(), 1, Double.NaN);
        }
        if (state == null) {
            deadLetter(record, meta, "unknown-model", "no model '" + id + "' (" + what + " from partition " + meta.partition()
                    + " of '" + meta.topic() + "'; the model would live in partition "
                    + ModelPartitioner.partitionOf(record.key(), partitions) + "); create it on topic '" + topics.models()
                    + "' first (the built-in model is '" + Lecture.MODEL_ID + "')");
            return null;
        }
        return new Target(id, state, implicitLecture);
    }

    /**
     * Answers a predict request with the live model: one {@code Prediction} on the predictions
     * sink, or one dead letter. Neither the model, its step, its loss EMA nor its progress changes,
     * and the lecture model answered before its first sample is not created by the answer.
     */
    private void onPredictRequest(Record<byte[], byte[]> record, Origin meta) {
        Target target = target(record, meta, "predict request", "ask");
        if (target == null) {
            return;
        }
        Predictor.Outcome outcome = predictor.answer(target.id(), target.state().network(), record.value(), meta.partition(), meta.offset(),
                record.timestamp());
        if (!outcome.answered()) {
            deadLetter(record, meta, outcome.reason(), outcome.message());
            return;
        }
        context.forward(new Record<>(target.id(), outcome.prediction(), record.timestamp()), TrainerTopology.PREDICTIONS_SINK);
    }

    private void onSample(Record<byte[], byte[]> record, Origin meta) {
        Target target = target(record, meta, "sample", "train");
        if (target == null) {
            return;
        }
        String id = target.id();
        ModelState state = target.state();
        boolean implicitLecture = target.implicitLecture();
        SampleCodec.Vectors v;
        try {
            v = SampleCodec.decode(record.value());
        } catch (DecodingException e) {
            deadLetter(record, meta, e.reason(), e.getMessage());
            return;
        }
        Network network = state.network();
        String problem = SampleValidator.problem(id, network.spec(), v.input(), v.target());
        if (problem != null) {
            deadLetter(record, meta, SampleValidator.reason(network.spec(), v.input(), v.target()), problem);
            return;
        }
        Network created = implicitLecture ? network.copy() : null;
        touched = true;
        double loss;
        try {
            loss = network.step(v.input(), v.target());
        } catch (StepRejectedException e) {
            deadLetter(record, meta, "non-finite-step", "model '" + id + "': " + e.getMessage());
            return;
        }
        if (created != null) {
            emitWeights(id, "create", created, meta, record.timestamp());
        }
        double ema = state.recordLoss(loss);
        // the outputs are those of the forward pass before the update: the verdict is prequential, like the loss
        network.copyOutput(output(network.spec().outputSize()));
        Boolean correct = Classification.correct(output, v.target());
        if (correct != null) {
            state.recordClassification(correct);
        }
        long step = network.step();
        context.forward(new Record<>(id, encoder.trainingMetric(id, step, loss, output, v.target(), ema, record.timestamp(),
                correct), record.timestamp()), TrainerTopology.METRICS_SINK);
        progress.step(id, step, loss, ema, state.classified(), state.correct(), state.accuracyEma());
        DriftWatch drift = state.drift();
        if (drift != null && drift.observe(loss)) {
            state.applyDrift();
            context.forward(new Record<>(id, driftDetection(id, step, drift, ema, record.timestamp()), record.timestamp()),
                    TrainerTopology.DRIFT_SINK);
        }
        live.put(id, state);
        store.put(id, state);
        if (state.publishesAtCurrentStep()) {
            emitWeights(id, "step", state.network(), meta, record.timestamp());
        }
    }

    private void onSpec(Record<byte[], byte[]> record, Origin meta) {
        if (record.key() == null) {
            deadLetter(record, meta, "missing-key", "spec has no key; the key names the model");
            return;
        }
        String id = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            // a tombstone deletes whatever the id, so that a model named before the id rule can still go
            touched = true;
            live.remove(id);
            store.delete(id);
            progress.forget(id);
            context.forward(new Record<>(id, null, record.timestamp()), TrainerTopology.WEIGHTS_SINK);
            context.forward(new Record<>(id, null, record.timestamp()), TrainerTopology.PROGRESS_SINK);
            return;
        }
        String badId = ModelIds.problem(id);
        if (badId != null) {
            deadLetter(record, meta, "invalid-model-id", badId);
            return;
        }
        ModelSpecs.Definition definition;
        try {
            ModelSpec spec = ModelSpecs.decode(record.value());
            definition = ModelSpecs.toDefinition(spec);
        } catch (DecodingException e) {
            deadLetter(record, meta, e.reason(), "model '" + id + "': " + e.getMessage());
            return;
        }
        boolean existed = lookup(id) != null;
        touched = true;
        ModelState state = new ModelState(new Network(definition.spec(), definition.parameters()), definition.publishEvery(), Double.NaN)
                .withDrift(DriftWatch.of(definition.drift(), definition.parameters()));
        live.put(id, state);
        store.put(id, state);
        emitWeights(id, existed ? "reset" : "create", state.network(), meta, record.timestamp());
        progress.forget(id);
        context.forward(new Record<>(id, ProgressTracker.started(id, record.timestamp()), record.timestamp()), TrainerTopology.PROGRESS_SINK);
    }

    private static DriftDetection driftDetection(String id, long step, DriftWatch drift, double lossEma, long timestamp) {
        return DriftDetection.newBuilder().setModelId(id).setStep(step).setDetector(drift.detector().id())
                .setStatistic(drift.detector().statistic()).setLossEma(lossEma).setOnDrift(drift.onDrift().id())
                .setTimestamp(java.time.Instant.ofEpochMilli(timestamp)).build();
    }

    private ModelState lookup(String id) {
        ModelState state = live.get(id);
        if (state == null) {
            state = store.get(id);
            if (state != null) {
                live.put(id, state);
            }
        }
        return state;
    }

    private void emitWeights(String id, String event, Network network, Origin meta, long timestamp) {
        context.forward(new Record<>(id, encoder.weightsUpdate(id, event, network, meta.partition(), meta.offset(), timestamp), timestamp),
                TrainerTopology.WEIGHTS_SINK);
    }

    private void deadLetter(Record<byte[], byte[]> record, Origin meta, String reason, String message) {
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(),
                        DeadLetters.headers(record.headers(), reason, reason, message, meta.topic(), meta.partition(), meta.offset())),
                TrainerTopology.DEAD_LETTERS_SINK);
    }

    private double[] output(int size) {
        if (output.length != size) {
            output = new double[size];
        }
        return output;
    }
}
