package io.backpropstreams.cli;

import io.backpropstreams.client.MetricsReader;
import io.backpropstreams.client.MetricsReader.Row;
import io.backpropstreams.client.UserException;
import io.backpropstreams.report.LearningCurveChart;
import io.backpropstreams.topology.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

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
        List<Row> rows = MetricsReader.latestRun(props, model);
        if (rows.isEmpty()) {
            throw new UserException("no metrics for model '" + model + "' on topic '" + topic + "' at " + kafka.bootstrapServers());
        }
        Files.createDirectories(outputDir);
        String safe = model.replaceAll("[^A-Za-z0-9._-]", "_");
        Path csv = LearningCurveChart.writeCsv(outputDir.resolve(safe + "-curve.csv"), rows.stream()
                .map(r -> new double[] {r.step(), r.loss(), r.lossEma()}).toList());
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
}
