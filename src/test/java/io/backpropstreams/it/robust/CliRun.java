package io.backpropstreams.it.robust;

import io.backpropstreams.cli.Main;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** A command of the product's command line, run in this JVM on its own thread exactly as {@code main} runs it, output captured. */
final class CliRun {

    final String[] args;
    final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
    private final Thread thread;
    private final CommandLine commandLine;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CliRun(List<String> args) {
        this.args = args.toArray(String[]::new);
        CommandLine cl = Main.commandLine();
        this.commandLine = cl;
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        thread = new Thread(() -> {
            try {
                exit.complete(cl.execute(this.args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, "cli-" + args.get(0));
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code args} in the background. */
    static CliRun start(String... args) {
        return new CliRun(List.of(args));
    }

    /** Runs {@code args} to the end, failing if that takes longer than {@code limit}. */
    static CliRun run(Duration limit, String... args) throws Exception {
        CliRun r = start(args);
        r.awaitExit(limit);
        return r;
    }

    int awaitExit(Duration limit) throws Exception {
        try {
            return exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            thread.interrupt();
            return fail(String.join(" ", args) + " did not end within " + limit.toSeconds() + " s:\n" + out() + err());
        }
    }

    int exitCode() throws Exception {
        return exit.get();
    }

    /** Waits until stdout contains {@code text}, failing if the command ends first or the time runs out. */
    void awaitOut(String text, Duration limit) throws Exception {
        RobustSupport.await("'" + text + "' from " + args[0], limit, () -> {
            if (exit.isDone() && !out().contains(text)) {
                fail(String.join(" ", args) + " exited with " + exit.get() + ":\n" + out() + err());
            }
            return out();
        }, o -> o.contains(text));
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** The command object of subcommand {@code name}, e.g. to ask {@code run} to stop. */
    <T> T command(String name) {
        return commandLine.getSubcommands().get(name).getCommand();
    }

    /** Interrupts the command's thread (how {@code broker} is stopped in-process) and waits for it to end. */
    void interruptAndAwait(Duration limit) throws InterruptedException {
        thread.interrupt();
        thread.join(limit.toMillis());
    }
}
