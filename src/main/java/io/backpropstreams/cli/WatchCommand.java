package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.LayerWeights;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
            "Prints decoded records of the weights, metrics or dead-letters topic (read_committed),",
            "following new records until Ctrl-C, --max records or --idle-timeout.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams watch metrics --model lecture",
            "  backprop-streams watch weights --from-beginning --max 5 --json",
            "  backprop-streams watch dead-letters --from-beginning --idle-timeout 5",
        })
public final class WatchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "weights, metrics or dead-letters.")
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
        if (!List.of("weights", "metrics", "dead-letters").contains(kind)) {
            throw new ParameterException(spec.commandLine(), "TOPIC must be weights, metrics or dead-letters, got '" + what + "'");
        }
        if (max < 0 || idleTimeout < 0) {
            throw new ParameterException(spec.commandLine(), "--max and --idle-timeout must be ≥ 0, got " + (max < 0 ? max : idleTimeout));
        }
        Properties props = kafka.properties();
        TopicNames topics = TopicNames.from(props);
        String topic = switch (kind) {
            case "weights" -> topics.weights();
            case "metrics" -> topics.metrics();
            default -> topics.deadLetters();
        };
        PrintWriter out = spec.commandLine().getOut();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            main.interrupt();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(props)) {
            Clients.assignAll(consumer, topic, fromBeginning);
            long lastRecord = System.nanoTime();
            while (!stop.get() && (max == 0 || printed < max)) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (idleTimeout > 0 && System.nanoTime() - lastRecord > idleTimeout * 1_000_000_000L) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (model != null && !model.equals(key)) {
                        continue;
                    }
                    out.println(format(kind, key, r));
                    printed++;
                    if (max > 0 && printed >= max) {
                        break;
                    }
                }
                out.flush();
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.interrupted();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new UserException("no Kafka cluster answered at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
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

    private String format(String kind, String key, ConsumerRecord<byte[], byte[]> r) {
        return switch (kind) {
            case "weights" -> r.value() == null ? deleted(key) : weights(Serdes.WEIGHTS_UPDATE.decode(r.value()));
            case "metrics" -> metric(Serdes.TRAINING_METRIC.decode(r.value()));
            default -> deadLetter(key, r);
        };
    }

    private String deleted(String key) {
        if (json) {
            return JSON.createObjectNode().put("modelId", key).put("deleted", true).toString();
        }
        return key + " deleted";
    }

    private String weights(WeightsUpdate u) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("modelId", u.getModelId());
            o.put("step", u.getStep());
            o.put("event", u.getEvent());
            ArrayNode layers = o.putArray("layers");
            for (LayerWeights lw : u.getLayers()) {
                ObjectNode l = layers.addObject();
                l.put("inputs", lw.getInputs());
                l.put("outputs", lw.getOutputs());
                l.put("activation", lw.getActivation());
                ArrayNode w = l.putArray("weights");
                lw.getWeights().forEach(w::add);
                ArrayNode b = l.putArray("biases");
                lw.getBiases().forEach(b::add);
            }
            return o.toString();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(u.getModelId()).append(" step ").append(u.getStep());
        if (!"step".equals(u.getEvent())) {
            sb.append(" (").append(u.getEvent()).append(')');
        }
        int l = 1;
        for (LayerWeights lw : u.getLayers()) {
            sb.append(" | layer ").append(l++).append(' ').append(lw.getOutputs()).append('×').append(lw.getInputs())
                    .append(" W=").append(lw.getWeights()).append(" b=").append(lw.getBiases());
        }
        return sb.toString();
    }

    private String metric(TrainingMetric m) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("modelId", m.getModelId());
            o.put("step", m.getStep());
            o.put("loss", m.getLoss());
            ArrayNode out = o.putArray("output");
            m.getOutput().forEach(out::add);
            o.put("lossEma", m.getLossEma());
            return o.toString();
        }
        return m.getModelId() + " step " + m.getStep() + " loss " + m.getLoss() + " ema " + m.getLossEma() + " output " + m.getOutput();
    }

    private String deadLetter(String key, ConsumerRecord<byte[], byte[]> r) {
        String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
        String message = DeadLetters.header(r.headers(), DeadLetters.MESSAGE);
        String origin = DeadLetters.header(r.headers(), DeadLetters.TOPIC) + "-" + DeadLetters.header(r.headers(), DeadLetters.PARTITION)
                + "@" + DeadLetters.header(r.headers(), DeadLetters.OFFSET);
        int size = r.value() == null ? 0 : r.value().length;
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("key", key);
            o.put("reason", reason);
            o.put("message", message);
            o.put("topic", DeadLetters.header(r.headers(), DeadLetters.TOPIC));
            o.put("partition", DeadLetters.header(r.headers(), DeadLetters.PARTITION));
            o.put("offset", DeadLetters.header(r.headers(), DeadLetters.OFFSET));
            o.put("bytes", size);
            return o.toString();
        }
        return "key=" + key + " reason=" + reason + " from=" + origin + " bytes=" + size + ": " + message;
    }
}
