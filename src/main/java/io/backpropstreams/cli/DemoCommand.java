package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.report.LectureReportPrinter;
import io.backpropstreams.report.ProgressBar;
import io.backpropstreams.service.LectureDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code demo}: the main job. Starts an embedded broker (unless given a cluster) and the trainer,
 * replays the lecture sample through Kafka to two models, {@code lecture} (simultaneous rule) and
 * {@code lecture-sequential}, reads their weights and metrics back, prints the lecture report
 * from those records, checks them bit for bit against the in-process core, and draws the learning
 * curves.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The lecture, through Kafka: starts an embedded Kafka broker (unless --bootstrap-servers is "
                + "given) and the trainer, replays the lecture sample N times to the models 'lecture' "
                + "(simultaneous rule) and 'lecture-sequential', reads the weights and metrics topics back, prints "
                + "the same report as 'lecture' from them, checks it bit for bit against the in-process core, and "
                + "writes the learning curves as a PNG.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams demo",
            "  backprop-streams demo --steps 1000 --json",
            "  backprop-streams demo --bootstrap-servers localhost:9092",
        })
public final class DemoCommand implements Callable<Integer> {

    /** The second model the demo trains, with the lecture's first-code rule. */
    public static final String SEQUENTIAL_MODEL = LectureDemo.SEQUENTIAL_MODEL;

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "10000", description = "Samples per model (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = {"-b", "--bootstrap-servers"}, description = "Use this cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties for Kafka Streams and the clients (security, …).")
    Path config;

    @Option(names = "--output-dir", defaultValue = "demo-output", description = "Where the learning-curve PNG goes (default ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for training to finish (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || steps > 10_000_000) {
            throw new ParameterException(spec.commandLine(), "--steps must be in 1..10,000,000, got " + steps);
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LectureDemo.Options options = new LectureDemo.Options(steps, bootstrapServers, outputDir, Duration.ofSeconds(timeoutSeconds));
        LectureDemo.Result result = LectureDemo.run(ClientConfigs.load(config), options, line -> status(err, line),
                ProgressBar.Factory.on(err, !json));
        if (json) {
            ObjectNode root = (ObjectNode) new ObjectMapper().readTree(LectureReportPrinter.toJson(result.report()));
            root.put("source", "kafka");
            root.put("bitIdenticalToCore", result.bitIdentical());
            root.put("learningCurve", result.curve().toAbsolutePath().toString());
            root.put("seconds", result.seconds());
            out.println(root);
        } else {
            out.printf("%nRead back from Kafka: %,d metrics and the weights of every step of 'lecture' and '%s'.%n%n",
                    2 * steps, SEQUENTIAL_MODEL);
            LectureReportPrinter.printText(result.report(), out);
            out.println();
            out.println(result.bitIdentical()
                    ? "Every weight snapshot read back from Kafka is bit-identical to the in-process core."
                    : result.mismatches() + " weight snapshots read back from Kafka differ from the in-process core.");
            out.println("Learning curve: " + result.curve().toAbsolutePath());
            out.printf("Demo finished in %.1f s.%n", result.seconds());
        }
        out.flush();
        return result.bitIdentical() ? 0 : 1;
    }

    private void status(PrintWriter err, String line) {
        if (!json) {
            err.println(line);
            err.flush();
        }
    }
}
