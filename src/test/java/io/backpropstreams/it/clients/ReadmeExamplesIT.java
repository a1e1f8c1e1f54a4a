package io.backpropstreams.it.clients;

import io.backpropstreams.avro.Serdes;
import io.backpropstreams.client.Clients;
import io.backpropstreams.it.SharedBroker;
import io.backpropstreams.it.Waits;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's producer examples, taken from README.md as written (only {@code localhost:9092}
 * becomes the test broker's address), against a trainer with default settings and the README's
 * own {@code xor} model created by {@code model create}: each example's sample trains it one step.
 * The murmur2 and CRC32 partitions of {@code xor} differ, so the kcat and Python samples are rerouted.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadmeExamplesIT {

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @TempDir
    static Path dir;

    private static Trainer trainer;
    private static String readme;

    @BeforeAll
    static void startTrainerAndCreateXor() throws Exception {
        readme = Files.readString(Path.of(System.getProperty("basedir", "."), "README.md"), StandardCharsets.UTF_8);
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "readme-examples-it");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        trainer = Trainer.start(p, 4, Duration.ofSeconds(60));
        Matcher spec = Pattern.compile("cat > xor.json <<'JSON'\n(.*?)\nJSON", Pattern.DOTALL).matcher(readme);
        assertTrue(spec.find(), "the README creates xor.json");
        Path xor = dir.resolve("xor.json");
        Files.writeString(xor, spec.group(1));
        AnyClientIT.CommandResult r = AnyClientIT.cli("model", "create", "xor", "--spec", xor.toString(), "-b", KAFKA.bootstrapServers());
        assertEquals(0, r.exit(), r.output());
        AnyClientIT.awaitCreated(KAFKA.bootstrapServers(), List.of("xor"));
        assertTrue(AnyClientIT.crc32Partition("xor") != AnyClientIT.murmur2Partition("xor"), "xor needs rerouting from librdkafka");
    }

    @AfterAll
    static void stopTrainer() {
        if (trainer != null) {
            trainer.close();
        }
    }

    /** The README's example command (with its continuation lines) that contains {@code marker}, for our broker. */
    static String readmeCommand(String marker) {
        String[] lines = readme.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("echo 'xor:") ) {
                StringBuilder cmd = new StringBuilder(lines[i]);
                int j = i;
                while (lines[j].endsWith("\\")) {
                    cmd.setLength(cmd.length() - 1);
                    cmd.append(' ').append(lines[++j].trim());
                }
                if (cmd.toString().contains(marker)) {
                    return cmd.toString().replace("localhost:9092", KAFKA.bootstrapServers());
                }
            }
        }
        throw new AssertionError("the README has no example with " + marker);
    }

    /** Waits until model {@code id} has taken {@code steps} steps (committed metrics). */
    static void awaitSteps(String id, long steps) {
        long[] last = {0};
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(AnyClientIT.client(KAFKA.bootstrapServers()))) {
            Clients.assignAll(c, TopicNames.DEFAULTS.metrics(), true);
            Waits.until("model '" + id + "' at step " + steps, Duration.ofSeconds(60), () -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    TrainingMetric m = Serdes.TRAINING_METRIC.decode(r.value());
                    if (m.getModelId().equals(id)) {
                        last[0] = Math.max(last[0], m.getStep());
                    }
                });
                return last[0] >= steps;
            });
        }
    }

    @Test
    void theReadmesExamplesTrainACreatedModel() throws Exception {
        long step = 0;
        // kcat, verbatim
        ExternalClients.requireKcat();
        String kcat = readmeCommand("| kcat ");
        ExternalClients.Run r = ExternalClients.run(List.of("bash", "-c", kcat), null, Duration.ofSeconds(60));
        assertEquals(0, r.exit(), kcat + "\n" + r.output());
        awaitSteps("xor", ++step);

        // kafka-console-producer.sh is `kafka-run-class.sh org.apache.kafka.tools.ConsoleProducer`; the same class here
        String console = readmeCommand("kafka-console-producer.sh");
        String[] parts = console.split("\\| *kafka-console-producer\\.sh ");
        String echo = parts[0].trim();
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ConsoleProducer"));
        java.addAll(Arrays.asList(parts[1].trim().split(" +")));
        String input = echo.substring("echo '".length(), echo.length() - 1) + "\n";
        r = ExternalClients.run(java, input, Duration.ofSeconds(60));
        assertEquals(0, r.exit(), console + "\n" + r.output());
        awaitSteps("xor", ++step);

        // Python, the README's block as it stands
        ExternalClients.requirePython();
        Matcher py = Pattern.compile("```python\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(py.find(), "the README has a Python example");
        Path script = dir.resolve("readme-example.py");
        Files.writeString(script, py.group(1).replace("localhost:9092", KAFKA.bootstrapServers()));
        r = ExternalClients.run(List.of(ExternalClients.pythonWithConfluentKafka().orElseThrow(), script.toString()), null,
                Duration.ofSeconds(60));
        assertEquals(0, r.exit(), py.group(1) + "\n" + r.output());
        awaitSteps("xor", ++step);

        assertEquals(0, AnyClientIT.count(KAFKA.bootstrapServers(), TopicNames.DEFAULTS.deadLetters()), "no dead letter");
    }
}
