package io.backpropstreams.bench;

import io.backpropstreams.client.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of our own commands started as its own JVM, exactly as a user starts it
 * ({@code java -cp <this jar> io.backpropstreams.cli.Main run …}, which is what {@code java -jar}
 * runs), with the JVM's defaults and the same class path as the benchmark. Its output goes to a
 * log file; closing sends SIGTERM, the signal {@code run} stops cleanly on, and waits for it.
 */
final class AppProcess implements AutoCloseable {

    private static final Pattern HTTP_PORT = Pattern.compile("HTTP on port (\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private AppProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code backprop-streams <args>} in a new JVM.
     *
     * @param jvmOptions extra JVM options (for example a JFR recording); none for a user's defaults
     * @param log        where its standard output and error go
     */
    static AppProcess start(String name, List<String> jvmOptions, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.backpropstreams.cli.Main");
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AppProcess(name, p, log);
    }

    /** Waits until the process has printed a line matching {@code ready}; fails if it exits first. */
    String awaitLine(Pattern ready, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (ready.matcher(line).find()) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new UserException(name + " exited with code " + process.exitValue() + " before it was ready:\n" + tail());
            }
            Thread.sleep(50);
        }
        throw new UserException(name + " was not ready within " + timeout.toSeconds() + " s:\n" + tail());
    }

    /** The HTTP port {@code run} reports once it is running. */
    int awaitHttpPort(Duration timeout) throws IOException, InterruptedException {
        Matcher m = HTTP_PORT.matcher(awaitLine(HTTP_PORT, timeout));
        if (!m.find()) {
            throw new IllegalStateException("no port in the line");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Fails with the log's tail if the process has already exited. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new UserException(name + " exited with code " + process.exitValue() + ":\n" + tail());
        }
    }

    /** The last lines of its output. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then up to 60 s for a clean stop, then SIGKILL. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
