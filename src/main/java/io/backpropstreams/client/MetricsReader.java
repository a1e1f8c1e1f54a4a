package io.backpropstreams.client;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Reads one model's learning curve back from the metrics topic (read_committed), with its
 * prequential accuracy: the records' {@code correct} verdicts counted from the start of the run,
 * and their EMA as the trainer computes it. Records written before {@code correct} existed, and
 * samples that are not one-hot, count for nothing.
 */
public final class MetricsReader {

    /**
     * One committed metric: the step, its prequential loss and loss EMA, its verdict ({@code null}
     * if the sample was not a classification sample), and the run's accuracy counts and accuracy
     * EMA after it (NaN before the first classification sample).
     */
    public record Row(long step, double loss, double lossEma, Boolean correct, long classified, long classifiedCorrectly,
                      double accuracyEma) {

        /** Prequential accuracy after this step, {@code classifiedCorrectly / classified}; NaN before the first classification sample. */
        public double accuracy() {
            return classified == 0 ? Double.NaN : (double) classifiedCorrectly / classified;
        }
    }

    private MetricsReader() {
    }

    /**
     * The metrics of {@code model} in step order. A reset starts the curve again, so only the
     * latest run (since the last reset) is returned. {@code progress} hears how many of the topic's records have been read.
     *
     * @throws UserException if the topic does not exist or cannot be read within 5 minutes
     */
    public static List<Row> latestRun(Properties config, String model, Clients.ReadProgress progress) {
        String topic = TopicNames.from(config).metrics();
        List<Row> rows = new ArrayList<>();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.readToEnd(consumer, topic, Duration.ofMinutes(5), r -> {
                if (r.value() == null || !Arrays.equals(key, r.key())) {
                    return;
                }
                add(rows, Serdes.TRAINING_METRIC.decode(r.value()));
            }, progress);
        }
        return rows;
    }

    /**
     * Appends the row of the next metric of one model, read in offset order, to {@code rows}: a
     * step not after the last one is a reset, which starts the rows, and the accuracy counts, again.
     */
    static void add(List<Row> rows, TrainingMetric m) {
        if (!rows.isEmpty() && m.getStep() <= rows.get(rows.size() - 1).step()) {
            rows.clear();
        }
        Row previous = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        long classified = previous == null ? 0 : previous.classified();
        long right = previous == null ? 0 : previous.classifiedCorrectly();
        double accuracyEma = previous == null ? Double.NaN : previous.accuracyEma();
        Boolean correct = m.getCorrect();
        if (correct != null) {
            classified++;
            right += correct ? 1 : 0;
            accuracyEma = ModelState.nextEma(accuracyEma, correct ? 1.0 : 0.0);
        }
        rows.add(new Row(m.getStep(), m.getLoss(), m.getLossEma(), correct, classified, right, accuracyEma));
    }
}
