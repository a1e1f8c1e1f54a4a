package io.backpropstreams.topology;

import java.util.List;
import java.util.Properties;

/**
 * The six topics the trainer reads and writes. Each is configurable through a property
 * ({@code bps.topic.samples}, {@code bps.topic.models}, {@code bps.topic.weights},
 * {@code bps.topic.metrics}, {@code bps.topic.dead-letters}, {@code bps.topic.training-progress});
 * the defaults are the names below.
 *
 * @param samples     input: (input, target) samples keyed by model id
 * @param models      input, compacted: {@code ModelSpec} per model id; a tombstone deletes
 * @param weights     output: {@code WeightsUpdate} every {@code publishEvery} steps and on create/reset
 * @param metrics     output: one {@code TrainingMetric} per trained sample
 * @param deadLetters output: rejected records, original key and bytes, reason in the headers
 * @param progress    output, compacted: {@code TrainingProgress} per model, at most once per stats interval
 */
public record TopicNames(String samples, String models, String weights, String metrics, String deadLetters, String progress) {

    /** The default names. */
    public static final TopicNames DEFAULTS = new TopicNames("samples", "models", "weights", "metrics", "dead-letters",
            "training-progress");

    /** The default name of the progress topic; the other five given. */
    public TopicNames(String samples, String models, String weights, String metrics, String deadLetters) {
        this(samples, models, weights, metrics, deadLetters, progressBeside(metrics));
    }

    /** Property prefix of the topic-name settings. */
    public static final String PREFIX = "bps.topic.";

    /** Reads overrides from {@code props}, falling back to {@link #DEFAULTS}. */
    public static TopicNames from(Properties props) {
        return new TopicNames(
                props.getProperty(PREFIX + "samples", DEFAULTS.samples),
                props.getProperty(PREFIX + "models", DEFAULTS.models),
                props.getProperty(PREFIX + "weights", DEFAULTS.weights),
                props.getProperty(PREFIX + "metrics", DEFAULTS.metrics),
                props.getProperty(PREFIX + "dead-letters", DEFAULTS.deadLetters),
                props.getProperty(PREFIX + "training-progress", progressBeside(props.getProperty(PREFIX + "metrics", "metrics"))));
    }

    /**
     * The progress topic's default: {@code training-progress} beside the default {@code metrics}, and
     * {@code M-progress} beside a renamed metrics topic {@code M}, so that two trainers that rename
     * their topics do not share one.
     */
    private static String progressBeside(String metrics) {
        return metrics.equals("metrics") ? "training-progress" : metrics + "-progress";
    }

    /** All six names, inputs first. */
    public List<String> all() {
        return List.of(samples, models, weights, metrics, deadLetters, progress);
    }
}
