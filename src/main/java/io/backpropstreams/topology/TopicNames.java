package io.backpropstreams.topology;

import java.util.List;
import java.util.Properties;

/**
 * The five topics the trainer reads and writes. Each is configurable through a property
 * ({@code bps.topic.samples}, {@code bps.topic.models}, {@code bps.topic.weights},
 * {@code bps.topic.metrics}, {@code bps.topic.dead-letters}); the defaults are the names below.
 *
 * @param samples     input: (input, target) samples keyed by model id
 * @param models      input, compacted: {@code ModelSpec} per model id; a tombstone deletes
 * @param weights     output: {@code WeightsUpdate} every {@code publishEvery} steps and on create/reset
 * @param metrics     output: one {@code TrainingMetric} per trained sample
 * @param deadLetters output: rejected records, original key and bytes, reason in the headers
 */
public record TopicNames(String samples, String models, String weights, String metrics, String deadLetters) {

    /** The default names. */
    public static final TopicNames DEFAULTS = new TopicNames("samples", "models", "weights", "metrics", "dead-letters");

    /** Property prefix of the topic-name settings. */
    public static final String PREFIX = "bps.topic.";

    /** Reads overrides from {@code props}, falling back to {@link #DEFAULTS}. */
    public static TopicNames from(Properties props) {
        return new TopicNames(
                props.getProperty(PREFIX + "samples", DEFAULTS.samples),
                props.getProperty(PREFIX + "models", DEFAULTS.models),
                props.getProperty(PREFIX + "weights", DEFAULTS.weights),
                props.getProperty(PREFIX + "metrics", DEFAULTS.metrics),
                props.getProperty(PREFIX + "dead-letters", DEFAULTS.deadLetters));
    }

    /** All five names, inputs first. */
    public List<String> all() {
        return List.of(samples, models, weights, metrics, deadLetters);
    }
}
