package io.backpropstreams.cli;

import io.backpropstreams.bench.BaselineApp;
import io.backpropstreams.service.StopRequest;
import io.backpropstreams.service.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code bench-baseline}: the no-math application {@code bench} compares {@code run} with, as a
 * process of its own. Hidden: {@code bench} starts it; it is not a user command.
 */
@Command(name = "bench-baseline", hidden = true, mixinStandardHelpOptions = true,
        description = "The no-math baseline application that bench measures run against; runs until SIGTERM.")
public final class BaselineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (StopRequest stop = new StopRequest().listenToSignals();
             BaselineApp app = BaselineApp.start(kafka.properties(), Trainer.DEFAULT_PARTITIONS, Duration.ofSeconds(60))) {
            out.println("Baseline running.");
            out.flush();
            stop.await();
        }
        return 0;
    }
}
