package io.backpropstreams.cli;

import io.backpropstreams.client.TopicFollower;
import io.backpropstreams.report.OutputRecordFormatter;
import io.backpropstreams.topology.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code watch}: prints decoded records of an output topic, following by default. */
@Command(name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Prints decoded records of the weights, metrics, predictions, drift or dead-letters topic (read_committed), "
                + "following new records until Ctrl-C, --max records or --idle-timeout.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams watch metrics --model lecture",
            "  backprop-streams watch weights --from-beginning --max 5 --json",
            "  backprop-streams watch dead-letters --from-beginning --idle-timeout 5",
        })
public final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;
    @Mixin
    ConnectTimeout timeout;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "weights, metrics, predictions, drift or dead-letters.")
    String what;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records (0 = no limit).")
    long max;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Option(names = "--model", description = "Only records of this model.")
    String model;

    @Option(names = "--idle-timeout", defaultValue = "0", description = "Stop after this many seconds without a record (0 = follow forever).")
    int idleTimeout;

    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public Integer call() {
        String kind = what.toLowerCase(Locale.ROOT);
        if (!List.of("weights", "metrics", "predictions", "drift", "dead-letters").contains(kind)) {
            throw new ParameterException(spec.commandLine(), "TOPIC must be weights, metrics, predictions, drift or dead-letters, got '" + what + "'");
        }
        if (max < 0 || idleTimeout < 0) {
            throw new ParameterException(spec.commandLine(), "--max and --idle-timeout must be ≥ 0, got " + (max < 0 ? max : idleTimeout));
        }
        Properties props = kafka.reachable(timeout);
        TopicNames topics = TopicNames.from(props);
        String topic = switch (kind) {
            case "weights" -> topics.weights();
            case "metrics" -> topics.metrics();
            case "predictions" -> topics.predictions();
            case "drift" -> topics.drift();
            default -> topics.deadLetters();
        };
        OutputRecordFormatter formatter = new OutputRecordFormatter(switch (kind) {
            case "weights" -> OutputRecordFormatter.Kind.WEIGHTS;
            case "metrics" -> OutputRecordFormatter.Kind.METRICS;
            case "predictions" -> OutputRecordFormatter.Kind.PREDICTIONS;
            case "drift" -> OutputRecordFormatter.Kind.DRIFT;
            default -> OutputRecordFormatter.Kind.DEAD_LETTERS;
        }, json);
        PrintWriter out = spec.commandLine().getOut();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            main.interrupt();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new TopicFollower(props, topic).follow(fromBeginning, max, Duration.ofSeconds(idleTimeout), stop::get, r -> {
                if (model != null && !model.equals(OutputRecordFormatter.key(r))) {
                    return false;
                }
                out.println(formatter.format(r));
                return true;
            }, out::flush);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM is exiting anyway
            }
        }
        out.flush();
        return 0;
    }
}
