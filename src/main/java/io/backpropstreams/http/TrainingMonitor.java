package io.backpropstreams.http;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.TrainingProgress;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.TopicNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Follows the committed {@code training-progress} and {@code dead-letters} topics and turns them
 * into per-model statistics and Micrometer meters.
 *
 * <p>Why a consumer and not hooks in the processor: under exactly-once a transaction can abort
 * and its records be processed again. Counting in the processor would then count twice; the
 * committed output topics, read {@code read_committed}, hold every step exactly once. So
 * {@code bps_model_steps_total} equals the samples applied, whatever failed on the way.
 *
 * <p>Why {@code training-progress} and not {@code metrics}: {@code metrics} has one record per
 * sample, and following it made the monitor a second consumer of the whole stream (about an
 * eighth of {@code run}'s CPU, and twice the broker's fetch load). The trainer writes one
 * {@code TrainingProgress} per model per {@code TrainerTopology.PROGRESS_INTERVAL} instead, in the
 * same transaction as the steps it reports, with the learning curve since the previous one. The
 * figures keep their meaning (committed steps, the last prequential loss and its EMA) and lag the
 * trainer by at most that interval plus one commit.
 *
 * <p>Meters: {@code bps_model_steps_total{model}}, {@code bps_model_loss{model}} (last
 * prequential loss), {@code bps_model_loss_ema{model}}, {@code bps_model_samples_per_second{model}},
 * {@code bps_dead_letters_total{reason}}; and for a model once it has classified a sample (a one-hot
 * target), {@code bps_model_accuracy{model}} (prequential accuracy, correct / classified) and
 * {@code bps_model_accuracy_ema{model}}. A regression model never gets those two series.
 */
public final class TrainingMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingMonitor.class);
    /** How much history per partition is read at start-up. */
    static final long BACKFILL_PER_PARTITION = 20_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicNames topics;
    private final MeterRegistry registry;
    private final Map<String, ModelStats> models = new ConcurrentSkipListMap<>();
    /** Models whose accuracy gauges are registered; touched by the monitor thread only. */
    private final java.util.Set<String> withAccuracy = new java.util.HashSet<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final StatsHistory history = new StatsHistory();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts following.
     *
     * @param consumer a read_committed consumer, used only by this monitor
     */
    public TrainingMonitor(KafkaConsumer<byte[], byte[]> consumer, TopicNames topics, MeterRegistry registry) {
        this.consumer = consumer;
        this.topics = topics;
        this.registry = registry;
        // every series from the start, at 0, so that rate() and alerts see the first dead letter
        DeadLetters.REASONS.forEach(this::deadLetterCounter);
        io.micrometer.core.instrument.Gauge.builder("bps.models", models, Map::size)
                .description("Models this instance has seen progress of").register(registry);
        this.thread = new Thread(this::loop, "training-monitor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        try {
            assign();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.progress())) {
                        onProgress(r);
                    } else if (r.topic().equals(topics.drift())) {
                        onDrift(r);
                    } else {
                        onDeadLetter(r);
                    }
                }
                long now = System.currentTimeMillis();
                history.sample(now, samplesPerSecond(now), deadLettersTotal());
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("training monitor stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void assign() {
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(topics.progress(), topics.deadLetters(), topics.drift())) {
            List<PartitionInfo> parts;
            try {
                parts = consumer.partitionsFor(t, Duration.ofSeconds(30));
            } catch (org.apache.kafka.common.errors.TopicAuthorizationException e) {
                if (!t.equals(topics.drift())) {
                    throw e;
                }
                // ACLs granted before the drift topic existed: everything else still works
                LOG.warn("no READ on topic '{}': drift detections will not show on /metrics and the dashboard"
                        + " (grant it again with: acl grant-trainer)", t);
                continue;
            }
            if (parts != null) {
                parts.forEach(p -> tps.add(new TopicPartition(t, p.partition())));
            }
        }
        consumer.assign(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
        for (TopicPartition tp : tps) {
            consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - BACKFILL_PER_PARTITION));
        }
    }

    /** A drift detection: a mark on the model's curve and one more on {@code bps_model_drifts_total}. */
    private void onDrift(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        io.backpropstreams.schema.DriftDetection d;
        try {
            d = Serdes.DRIFT_DETECTION.decode(r.value());
        } catch (RuntimeException e) {
            LOG.warn("skipping undecodable drift record at {}-{}@{}", r.topic(), r.partition(), r.offset());
            return;
        }
        // a drift of a model this monitor has no progress of (deleted, or not yet seen) creates no series
        ModelStats s = models.get(d.getModelId());
        if (s == null) {
            return;
        }
        s.recordDrift(d.getStep(), d.getDetector(), d.getStatistic());
        Counter.builder("bps.model.drifts").description("Drift detections in the model's prequential loss")
                .tag("model", d.getModelId()).register(registry).increment();
    }

    private void onProgress(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        TrainingProgress p;
        try {
            p = Serdes.TRAINING_PROGRESS.decode(r.value());
        } catch (RuntimeException e) {
            LOG.warn("skipping undecodable progress record at {}-{}@{}", r.topic(), r.partition(), r.offset());
            return;
        }
        ModelStats s = stats(p.getModelId());
        s.record(p, System.currentTimeMillis());
        if (p.getClassified() > 0 && withAccuracy.add(p.getModelId())) {
            registerAccuracy(s);
        }
    }

    /**
     * The accuracy gauges of a model that classifies, registered at its first classification
     * sample rather than with the others, so that a regression model has no accuracy series at all.
     * After a reset they read NaN until the next classification sample, and the scrape leaves NaN out.
     */
    private void registerAccuracy(ModelStats s) {
        Gauge.builder("bps.model.accuracy", s, ModelStats::accuracy).tag("model", s.modelId())
                .description("Prequential accuracy: correct / classified samples with a one-hot target").register(registry);
        Gauge.builder("bps.model.accuracy.ema", s, ModelStats::accuracyEma).tag("model", s.modelId())
                .description("Exponential moving average of the prequential 0/1 verdicts").register(registry);
    }

    private void onDeadLetter(ConsumerRecord<byte[], byte[]> r) {
        String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
        String tag = reason == null ? "unknown" : reason;
        deadLetterCounter(tag).increment();
    }

    private Counter deadLetterCounter(String reason) {
        return deadLetters.computeIfAbsent(reason, k -> Counter.builder("bps.dead.letters").tag("reason", k)
                .description("Records rejected to the dead-letter topic, by reason").register(registry));
    }

    private ModelStats stats(String model) {
        return models.computeIfAbsent(model, id -> {
            ModelStats s = new ModelStats(id);
            FunctionCounter.builder("bps.model.steps", s, ModelStats::step).tag("model", id)
                    .description("Training steps applied to the model (committed)").register(registry);
            Gauge.builder("bps.model.loss", s, ModelStats::loss).tag("model", id)
                    .description("Last prequential loss (before the update)").register(registry);
            Gauge.builder("bps.model.loss.ema", s, ModelStats::lossEma).tag("model", id)
                    .description("Exponential moving average of the prequential loss").register(registry);
            Gauge.builder("bps.model.samples.per.second", s, x -> x.samplesPerSecond(System.currentTimeMillis())).tag("model", id)
                    .description("Samples trained per second over the last few seconds").register(registry);
            return s;
        });
    }

    /** Stats of one model, if any metric of it has been seen. */
    Optional<ModelStats> model(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** Every model seen, by id. */
    Map<String, ModelStats> models() {
        return models;
    }

    /** Samples per second over all models. */
    public double samplesPerSecond() {
        return samplesPerSecond(System.currentTimeMillis());
    }

    private double samplesPerSecond(long nowMs) {
        double sum = 0;
        for (ModelStats s : models.values()) {
            sum += s.samplesPerSecond(nowMs);
        }
        return sum;
    }

    private double deadLettersTotal() {
        double sum = 0;
        for (Counter c : deadLetters.values()) {
            sum += c.count();
        }
        return sum;
    }

    /** Throughput and dead letters, one point a second, for the last {@value StatsHistory#SECONDS} seconds. */
    StatsHistory.Snapshot history() {
        return history.snapshot();
    }

    /** Dead letters seen, by reason. */
    public Map<String, Double> deadLettersByReason() {
        Map<String, Double> m = new java.util.TreeMap<>();
        deadLetters.forEach((k, c) -> {
            if (c.count() > 0) {
                m.put(k, c.count());
            }
        });
        return m;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
