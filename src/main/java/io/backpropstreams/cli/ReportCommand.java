package io.backpropstreams.cli;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code report}: a model's learning curve from the metrics topic, as a PNG and a CSV. */
@Command(name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Reads a model's records from the metrics topic (read_committed) and writes its learning curve",
            "as a PNG and the raw figures (step, loss, lossEma) as a CSV. After a reset only the latest run is kept.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams report --model lecture",
            "  backprop-streams report --model xor --output-dir reports",
        })
public final class ReportCommand implements Callable<Integer> {

    /** One metric. */
    record Row(long step, double loss, double lossEma) {
    }

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, description = "Model id.")
    String model;

    @Option(names = "--output-dir", defaultValue = ".", description = "Where to write <model>-curve.png and <model>-curve.csv (default: current directory).")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        Properties props = kafka.properties();
        String topic = TopicNames.from(props).metrics();
        List<Row> rows = read(props, topic);
        if (rows.isEmpty()) {
            throw new UserException("no metrics for model '" + model + "' on topic '" + topic + "' at " + kafka.bootstrapServers());
        }
        Files.createDirectories(outputDir);
        String safe = model.replaceAll("[^A-Za-z0-9._-]", "_");
        Path csv = outputDir.resolve(safe + "-curve.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("step,loss,lossEma\n");
            for (Row r : rows) {
                w.write(r.step() + "," + r.loss() + "," + r.lossEma() + "\n");
            }
        }
        double[] loss = rows.stream().mapToDouble(Row::loss).toArray();
        Path png = LearningCurveChart.writePng(outputDir.resolve(safe + "-curve.png"),
                "Model '" + model + "': prequential loss per step", Map.of(model, loss));
        PrintWriter out = spec.commandLine().getOut();
        Row last = rows.get(rows.size() - 1);
        out.printf("Model '%s': %,d steps, last loss %s, loss EMA %s%n", model, last.step(), last.loss(), last.lossEma());
        out.println("Learning curve: " + png.toAbsolutePath());
        out.println("Figures:        " + csv.toAbsolutePath());
        out.flush();
        return 0;
    }

    private List<Row> read(Properties props, String topic) {
        List<Row> rows = new ArrayList<>();
        byte[] key = model.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(props)) {
            Clients.readToEnd(consumer, topic, Duration.ofMinutes(5), r -> {
                if (r.value() == null || !java.util.Arrays.equals(key, r.key())) {
                    return;
                }
                TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                if (!rows.isEmpty() && m.getStep() <= rows.get(rows.size() - 1).step()) {
                    rows.clear();
                }
                rows.add(new Row(m.getStep(), m.getLoss(), m.getLossEma()));
            });
        }
        return rows;
    }
}
