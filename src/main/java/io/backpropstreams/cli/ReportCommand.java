package io.backpropstreams.cli;

import io.backpropstreams.client.MetricsReader;
import io.backpropstreams.client.MetricsReader.Row;
import io.backpropstreams.client.UserException;
import io.backpropstreams.report.LearningCurveChart;
import io.backpropstreams.report.OutputRecordFormatter;
import io.backpropstreams.report.ProgressBar;
import io.backpropstreams.topology.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

@Command(name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Reads a model's records from the metrics topic (read_committed) and writes its learning curve "
                + "as a PNG (the loss and its EMA, the axis fitted to the whole run) and its figures (step, loss, "
                + "lossEma) as a CSV of --points evenly spaced steps, or every step with --all. For a model trained "
                + "on one-hot targets, also its prequential accuracy (the share of samples whose output before the "
                + "update had its largest value at the target's class) and the accuracy's EMA: a second panel in "
                + "the PNG, two more CSV columns (accuracy, accuracyEma) and a line in the summary. After a reset "
                + "only the latest run is kept.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams report --model lecture",
            "  backprop-streams report --model xor --output-dir reports --points 200",
            "  backprop-streams report --model lecture --all",
        })
public final class ReportCommand implements Callable<Integer> {

    /** CSV rows by default: enough for any plot, a few tens of KB. */
    static final int DEFAULT_POINTS = 1_000;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;
    @Mixin
    ConnectTimeout timeout;

    @Option(names = "--model", required = true, description = "Model id.")
    String model;

    @Option(names = "--output-dir", defaultValue = ".", description = "Where to write <model>-curve.png and <model>-curve.csv (default: current directory).")
    Path outputDir;

    @Option(names = "--points", paramLabel = "N", defaultValue = "" + DEFAULT_POINTS,
            description = "CSV rows: N evenly spaced steps, the first and the last included (default ${DEFAULT-VALUE}).")
    int points;

    @Option(names = "--all", description = "CSV rows: every step (one row per committed metric).")
    boolean all;

    @Option(names = "--quiet", description = "No progress bar while reading.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (points < 2) {
            throw new ParameterException(spec.commandLine(), "--points must be at least 2, got " + points);
        }
        Properties props = kafka.reachable(timeout);
        String topic = TopicNames.from(props).metrics();
        // the read is the long part (seconds for a few hundred thousand steps): a bar over the topic's records
        ProgressBar[] bar = {null};
        long[] read = {0};
        List<Row> rows = MetricsReader.latestRun(props, model, (done, total) -> {
            if (bar[0] == null) {
                bar[0] = ProgressBar.Factory.on(spec.commandLine().getErr(), !quiet).start("reading " + topic, Math.max(1, total));
            }
            read[0] = done;
            bar[0].update(done);
        });
        if (bar[0] != null) {
            bar[0].finish(read[0]);
        }
        if (rows.isEmpty()) {
            throw new UserException("no metrics for model '" + model + "' on topic '" + topic + "' at " + kafka.bootstrapServers());
        }
        Files.createDirectories(outputDir);
        String safe = model.replaceAll("[^A-Za-z0-9._-]", "_");
        List<Row> csvRows = all ? rows : evenlySpaced(rows, points);
        Row last = rows.get(rows.size() - 1);
        // the counts only grow within a run: the last row has classified something if any row has
        boolean classifies = last.classified() > 0;
        Path csv = classifies
                ? LearningCurveChart.writeCsv(outputDir.resolve(safe + "-curve.csv"), List.of("step", "loss", "lossEma", "accuracy",
                        "accuracyEma"), csvRows.stream().map(r -> new double[] {r.step(), r.loss(), r.lossEma(), r.accuracy(),
                        r.accuracyEma()}).toList())
                : LearningCurveChart.writeCsv(outputDir.resolve(safe + "-curve.csv"), csvRows.stream()
                        .map(r -> new double[] {r.step(), r.loss(), r.lossEma()}).toList());
        long[] steps = rows.stream().mapToLong(Row::step).toArray();
        double[] loss = rows.stream().mapToDouble(Row::loss).toArray();
        double[] ema = rows.stream().mapToDouble(Row::lossEma).toArray();
        List<LearningCurveChart.Panel> panels = new java.util.ArrayList<>(List.of(LearningCurveChart.lossAndEma(model, steps, loss, ema)));
        if (classifies) {
            panels.add(LearningCurveChart.accuracyAndEma(model, steps, rows.stream().mapToDouble(Row::accuracy).toArray(),
                    rows.stream().mapToDouble(Row::accuracyEma).toArray()));
        }
        Path png = LearningCurveChart.writePng(outputDir.resolve(safe + "-curve.png"),
                "Model '" + model + "': prequential " + (classifies ? "loss and accuracy" : "loss") + " per step", panels);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Model '%s': %,d steps, last loss %s, loss EMA %s%n", model, last.step(),
                OutputRecordFormatter.sixFigures(last.loss()), OutputRecordFormatter.sixFigures(last.lossEma()));
        if (classifies) {
            out.printf("Accuracy:       %s (%,d of %,d classified samples correct, before the update), accuracy EMA %s%n",
                    OutputRecordFormatter.sixFigures(last.accuracy()), last.classifiedCorrectly(), last.classified(),
                    OutputRecordFormatter.sixFigures(last.accuracyEma()));
        }
        out.println("Learning curve: " + png.toAbsolutePath());
        out.println("Figures:        " + csv.toAbsolutePath() + " (" + String.format("%,d", csvRows.size()) + " of "
                + String.format("%,d", rows.size()) + " steps" + (all ? ")" : "; --all for every step)"));
        out.flush();
        return 0;
    }

    /** {@code n} rows at evenly spaced positions, the first and the last included; all of them if there are fewer. */
    static List<Row> evenlySpaced(List<Row> rows, int n) {
        if (rows.size() <= n) {
            return rows;
        }
        List<Row> out = new java.util.ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(rows.get((int) Math.round((double) k * (rows.size() - 1) / (n - 1))));
        }
        return out;
    }
}
