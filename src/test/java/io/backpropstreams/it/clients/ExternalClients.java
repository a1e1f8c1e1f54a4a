package io.backpropstreams.it.clients;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Kafka clients people feed the pipeline with from outside the JVM, run as they ship: kcat
 * (librdkafka) and python3-confluent-kafka, each with its own default settings and partitioner
 * (librdkafka's {@code consistent_random}: CRC32 of the key). Debian packages {@code kcat} and
 * {@code python3-confluent-kafka}; where one is absent the test that needs it is skipped, saying so.
 */
public final class ExternalClients {

    /** Lines a client writes: a key and a value (the value holds no newline). */
    public record Line(String key, String value) {
    }

    /** What a client process printed and returned. */
    public record Run(int exit, String output) {
    }

    private ExternalClients() {
    }

    /** The kcat executable, or empty. */
    public static Optional<String> kcat() {
        for (String name : List.of("kcat", "kafkacat")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p.toString());
                }
            }
        }
        return Optional.empty();
    }

    /** A python3 that can import confluent_kafka (Debian's /usr/bin/python3 first), or empty. */
    public static Optional<String> pythonWithConfluentKafka() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Run r = run(List.of(python, "-c", "import confluent_kafka"), null, Duration.ofSeconds(30));
                if (r.exit() == 0) {
                    return Optional.of(python);
                }
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    /** kcat, or the test is skipped with the reason. */
    public static String requireKcat() {
        Optional<String> k = kcat();
        assumeTrue(k.isPresent(), "kcat is not installed (Debian package 'kcat'; .ci/run installs it): skipping");
        return k.get();
    }

    /** python3 with confluent_kafka, or the test is skipped with the reason. */
    public static String requirePython() {
        Optional<String> p = pythonWithConfluentKafka();
        assumeTrue(p.isPresent(), "python3 with confluent_kafka is not installed (Debian package 'python3-confluent-kafka';"
                + " .ci/run installs it): skipping");
        return p.get();
    }

    /**
     * Produces {@code lines} with kcat's defaults: {@code kcat -b B -t T -K <tab> -P}, lines on stdin.
     *
     * @throws AssertionError if kcat fails
     */
    public static void kcatProduce(String bootstrap, String topic, List<Line> lines) throws Exception {
        StringBuilder in = new StringBuilder();
        lines.forEach(l -> in.append(l.key()).append('\t').append(l.value()).append('\n'));
        Run r = run(List.of(requireKcat(), "-b", bootstrap, "-t", topic, "-K", "\t", "-P"), in.toString(), Duration.ofSeconds(120));
        if (r.exit() != 0) {
            throw new AssertionError("kcat exited with " + r.exit() + ": " + r.output());
        }
    }

    /** The producer of confluent-kafka-python with its defaults; keys and values from a tab-separated file. */
    static final String PYTHON_PRODUCER = String.join("\n",
            "import sys",
            "from confluent_kafka import Producer",
            "bootstrap, topic, path = sys.argv[1], sys.argv[2], sys.argv[3]",
            "p = Producer({'bootstrap.servers': bootstrap})",
            "errors = []",
            "def report(err, msg):",
            "    if err is not None:",
            "        errors.append(str(err))",
            "with open(path, encoding='utf-8') as f:",
            "    for line in f:",
            "        key, value = line.rstrip('\\n').split('\\t', 1)",
            "        while True:",
            "            try:",
            "                p.produce(topic, key=key.encode(), value=value.encode(), on_delivery=report)",
            "                break",
            "            except BufferError:",
            "                p.poll(0.1)",
            "        p.poll(0)",
            "left = p.flush(60)",
            "if errors or left:",
            "    print('failed:', left, 'undelivered,', errors[:3])",
            "    sys.exit(1)",
            "print('produced')",
            "");

    /**
     * Produces {@code lines} with confluent-kafka-python's {@code Producer} and its default settings.
     *
     * @throws AssertionError if the script fails
     */
    public static void pythonProduce(String bootstrap, String topic, List<Line> lines, Path workDir) throws Exception {
        Path script = workDir.resolve("produce.py");
        Path data = workDir.resolve("lines-" + System.nanoTime() + ".tsv");
        Files.writeString(script, PYTHON_PRODUCER, StandardCharsets.UTF_8);
        StringBuilder in = new StringBuilder();
        lines.forEach(l -> in.append(l.key()).append('\t').append(l.value()).append('\n'));
        Files.writeString(data, in.toString(), StandardCharsets.UTF_8);
        Run r = run(List.of(requirePython(), script.toString(), bootstrap, topic, data.toString()), null, Duration.ofSeconds(120));
        if (r.exit() != 0) {
            throw new AssertionError("python producer exited with " + r.exit() + ": " + r.output());
        }
    }

    /** Runs a process, feeding {@code stdin} (or nothing), and collects stdout and stderr together. */
    public static Run run(List<String> command, String stdin, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        Process p = pb.start();
        try (OutputStream os = p.getOutputStream()) {
            if (stdin != null) {
                os.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout.toSeconds() + " s");
        }
        reader.join(10_000);
        return new Run(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
