package io.backpropstreams.it.fault;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A {@code backprop-streams} command ({@code java -cp <this JVM's class path> io.backpropstreams.cli.Main
 * <args>}) in a child JVM, so that a test can kill it for real: {@link #kill()} is
 * {@link Process#destroyForcibly()}, i.e. SIGKILL on Linux, with no shutdown hook, no flush and no
 * commit; {@link #terminate(Duration)} is {@link Process#destroy()}, i.e. SIGTERM, which runs the
 * JVM's shutdown hooks.
 *
 * <p>Its stdout and stderr go to files (one pair per start), so that they survive the process and
 * a failing test can show them. Children still alive when the test JVM exits are killed.
 */
public final class ChildJvm implements AutoCloseable {

    /** The CLI entry point every child runs. */
    static final String MAIN = "io.backpropstreams.cli.Main";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-child-jvms"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final long startedNanos = System.nanoTime();

    private ChildJvm(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code Main args} in a new JVM with a 512 MiB heap.
     *
     * @param name   short name for logs and file names, e.g. {@code trainer-2}
     * @param logDir where {@code <name>.out} and {@code <name>.err} go (created if missing)
     */
    public static ChildJvm start(String name, Path logDir, List<String> args) throws IOException {
        return start(name, logDir, args, java.util.Map.of(), List.of());
    }

    /**
     * As {@link #start(String, Path, List)}, with extra environment variables (e.g.
     * {@code BPS_BOOTSTRAP_SERVERS}) and JVM options (e.g. {@code -Duser.home=DIR}, so that a
     * command's default {@code ~/.backprop-streams} lands in a test directory).
     */
    public static ChildJvm start(String name, Path logDir, List<String> args, java.util.Map<String, String> env,
                                 List<String> jvmOptions) throws IOException {
        Files.createDirectories(logDir);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.awt.headless=true");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(MAIN);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return new ChildJvm(name, p, out, err);
    }

    /**
     * The class path of this (failsafe) JVM. When failsafe runs the tests from a manifest-only
     * booter jar, that jar's {@code Class-Path} lists everything, so it works with {@code -cp} as it is;
     * {@link #describeClassPath()} says which case applies.
     */
    static String classPath() {
        return System.getProperty("java.class.path");
    }

    /** One line for the logs: how many class path entries, and whether it is a manifest-only jar. */
    static String describeClassPath() {
        String cp = classPath();
        String[] entries = cp.split(File.pathSeparator);
        if (entries.length == 1 && entries[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(entries[0])) {
                Manifest m = jar.getManifest();
                String listed = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                int n = listed == null ? 0 : listed.trim().split("\\s+").length;
                return "a single jar " + entries[0] + " whose manifest Class-Path lists " + n + " entries";
            } catch (IOException e) {
                return "a single jar " + entries[0] + " (unreadable: " + e.getMessage() + ")";
            }
        }
        return entries.length + " entries";
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /**
     * Waits until stdout contains {@code needle}, and returns that line.
     *
     * @throws AssertionError if the process exits first or {@code timeout} passes (with its output)
     */
    public String awaitOutput(String needle, Duration timeout) {
        String out;
        try {
            out = io.backpropstreams.it.Waits.until(name + " printing '" + needle + "'", timeout, () -> {
                String now = stdout();
                // read again after seeing the exit: the line may have been written just before it
                if (!now.contains(needle) && !process.isAlive() && !(now = stdout()).contains(needle)) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '" + needle + "'\n"
                            + describeOutput());
                }
                return now;
            }, now -> now.contains(needle));
        } catch (AssertionError e) {
            if (e.getCause() instanceof org.awaitility.core.ConditionTimeoutException) {
                throw new AssertionError(name + " did not print '" + needle + "' within " + timeout.toSeconds() + " s\n"
                        + describeOutput(), e);
            }
            throw e;
        }
        int i = out.indexOf(needle);
        int start = out.lastIndexOf('\n', i) + 1;
        int end = out.indexOf('\n', i);
        return out.substring(start, end < 0 ? out.length() : end);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGTERM, and waits for the exit.
     *
     * @return the exit code
     * @throws AssertionError if it does not exit within {@code timeout} (it is then killed)
     */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String output = describeOutput();
            kill();
            throw new AssertionError(name + " did not exit within " + timeout.toSeconds() + " s of SIGTERM\n" + output);
        }
        return process.exitValue();
    }

    /** Waits for the process to exit on its own; false if it still runs after {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Seconds since start. */
    double uptimeSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** Both output files, the stderr tail limited, for assertion messages. */
    public String describeOutput() {
        String err = stderr();
        if (err.length() > 6000) {
            err = "…" + err.substring(err.length() - 6000);
        }
        return "--- " + stdout + " ---\n" + stdout() + "\n--- " + stderr + " (tail) ---\n" + err;
    }

    private static String read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
