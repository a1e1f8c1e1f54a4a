package io.backpropstreams.cli;

import io.backpropstreams.service.StopSignals;

import io.backpropstreams.kafka.BrokerStartException;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code broker}: a single-node Kafka broker in this process, for users without Kafka or Docker.
 * Other commands ({@code run}, {@code produce}, {@code watch}) then point at it.
 */
@Command(name = "broker",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a single-node Kafka broker (KRaft) in this process until Ctrl-C.",
            "It listens on 127.0.0.1 only. Without --data-dir its data is deleted on stop.",
            "Prints one line with its bootstrap address once it accepts clients.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams broker",
            "  backprop-streams broker --port 19092",
            "  backprop-streams broker --data-dir ./kafka-data   (keeps topics)",
            "  backprop-streams broker --port 0                  (any free port)",
        })
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keeps topics and records across restarts; created if missing. "
                    + "Default: a temporary directory, deleted on stop.")
    Path dataDir;

    @Override
    public Integer call() {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).build();
        // Registered before start, so that Ctrl-C during a slow start still shuts down cleanly.
        Thread hook = new Thread(broker::close, "kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Runnable restoreSignals = () -> { };
        try {
            try {
                broker.start();
            } catch (BrokerStartException e) {
                err.println("broker: " + e.getMessage());
                err.flush();
                return 1;
            }
            out.println(readyLine(broker));
            out.flush();
            // SIGTERM/SIGINT close the broker and let call() return 0, instead of the JVM's exit with 143/130.
            restoreSignals = StopSignals.install(() -> new Thread(broker::close, "kafka-broker-stop").start());
            broker.awaitStopped();
        } catch (InterruptedException e) {
            // Interrupting the command's thread is the in-process way to stop it (tests, embedding).
            Thread.currentThread().interrupt();
        } finally {
            restoreSignals.run();
            removeHook(hook);
            broker.close();
        }
        if (broker.fault().isPresent()) {
            err.println("broker: stopped after a fatal error: " + broker.fault().get());
            err.flush();
            return 1;
        }
        out.println("Kafka broker stopped.");
        out.flush();
        return 0;
    }

    static String readyLine(EmbeddedKafkaBroker broker) {
        String data = broker.isTemporary()
                ? broker.dataDir() + ", deleted on stop"
                : broker.dataDir().toString();
        return String.format(Locale.ROOT, "Kafka broker ready at %s in %.1f s (data in %s; Ctrl-C to stop)",
                broker.bootstrapServers(), broker.startupTime().toMillis() / 1000.0, data);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run: it closes the broker itself.
        }
    }
}
