package io.backpropstreams.client;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** Reads one model's learning curve back from the metrics topic (read_committed). */
public final class MetricsReader {

    /** One committed metric: the step and its prequential loss and loss EMA. */
    public record Row(long step, double loss, double lossEma) {
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
                TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                if (!rows.isEmpty() && m.getStep() <= rows.get(rows.size() - 1).step()) {
                    rows.clear();
                }
                rows.add(new Row(m.getStep(), m.getLoss(), m.getLossEma()));
            }, progress);
        }
        return rows;
    }
}
