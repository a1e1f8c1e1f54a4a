package io.backpropstreams.topology;

import java.util.List;
import java.util.Properties;

/**
 * The nine topics the trainer reads and writes. Each is configurable through a property
 * ({@code bps.topic.samples}, {@code bps.topic.models}, {@code bps.topic.weights},
 * {@code bps.topic.metrics}, {@code bps.topic.dead-letters}, {@code bps.topic.training-progress},
 * {@code bps.topic.predict-requests}, {@code bps.topic.predictions}, {@code bps.topic.drift});
 * the defaults are the names below.
 *
 * @param samples         input: (input, target) samples keyed by model id
 * @param models          input, compacted: {@code ModelSpec} per model id; a tombstone deletes
 * @param weights         output: {@code WeightsUpdate} every {@code publishEvery} steps and on create/reset
 * @param metrics         output: one {@code TrainingMetric} per trained sample
 * @param deadLetters     output: rejected records, original key and bytes, reason in the headers
 * @param progress        output, compacted: {@code TrainingProgress} per model, at most once per stats interval
 * @param predictRequests input: {@code PredictRequest} keyed by model id, co-partitioned with samples and models
 * @param predictions     output: one {@code Prediction} per good request
 * @param drift           output: drift detections per model
 */
public record TopicNames(String samples, String models, String weights, String metrics, String deadLetters, String progress,
                         String predictRequests, String predictions, String drift) {

    /** The default names. */
    public static final TopicNames DEFAULTS = new TopicNames("samples", "models", "weights", "metrics", "dead-letters",
            "training-progress", "predict-requests", "predictions", "drift");

    /** The default names of the progress, predict-requests, predictions and drift topics; the other five given. */
    public TopicNames(String samples, String models, String weights, String metrics, String deadLetters) {
        this(samples, models, weights, metrics, deadLetters, progressBeside(metrics));
    }

    /** The default names of the predict-requests, predictions and drift topics; the other six given. */
    public TopicNames(String samples, String models, String weights, String metrics, String deadLetters, String progress) {
        this(samples, models, weights, metrics, deadLetters, progress,
                beside(models, "predict-requests"), beside(models, "predictions"), beside(models, "drift"));
    }

    /** Property prefix of the topic-name settings. */
    public static final String PREFIX = "bps.topic.";

    /** Reads overrides from {@code props}, falling back to {@link #DEFAULTS}. */
    public static TopicNames from(Properties props) {
        String models = props.getProperty(PREFIX + "models", DEFAULTS.models);
        return new TopicNames(
                props.getProperty(PREFIX + "samples", DEFAULTS.samples),
                models,
                props.getProperty(PREFIX + "weights", DEFAULTS.weights),
                props.getProperty(PREFIX + "metrics", DEFAULTS.metrics),
                props.getProperty(PREFIX + "dead-letters", DEFAULTS.deadLetters),
                props.getProperty(PREFIX + "training-progress", progressBeside(props.getProperty(PREFIX + "metrics", "metrics"))),
                props.getProperty(PREFIX + "predict-requests", beside(models, "predict-requests")),
                props.getProperty(PREFIX + "predictions", beside(models, "predictions")),
                props.getProperty(PREFIX + "drift", beside(models, "drift")));
    }

    /**
     * The progress topic's default: {@code training-progress} beside the default {@code metrics}, and
     * {@code M-progress} beside a renamed metrics topic {@code M}, so that two trainers that rename
     * their topics do not share one.
     */
    private static String progressBeside(String metrics) {
        return metrics.equals("metrics") ? "training-progress" : metrics + "-progress";
    }

    /**
     * The default of a topic that belongs with the models topic, for the same reason: {@code name}
     * beside the default {@code models}, {@code P-name} beside {@code P-models} ({@code a.models}
     * gives {@code a.predict-requests}: the prefix ends in a separator), and {@code M-name} beside any
     * other models topic {@code M}.
     */
    private static String beside(String models, String name) {
        if (models.equals("models")) {
            return name;
        }
        int stem = models.length() - "models".length();
        boolean separated = stem > 0 && models.endsWith("models") && !Character.isLetterOrDigit(models.charAt(stem - 1));
        return separated ? models.substring(0, stem) + name : models + "-" + name;
    }

    /** All nine names, inputs first. */
    public List<String> all() {
        return List.of(samples, models, predictRequests, weights, metrics, deadLetters, progress, predictions, drift);
    }
}
