package io.backpropstreams.cli;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code model create|reset|delete|list}: manages model specs on the compacted models topic. */
@Command(name = "model",
        mixinStandardHelpOptions = true,
        description = "Creates, resets, deletes and lists models (ModelSpec records on the compacted models topic).",
        subcommands = {
            ModelCommand.Create.class,
            ModelCommand.Reset.class,
            ModelCommand.Delete.class,
            ModelCommand.ListModels.class,
        })
public final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code model create ID --spec FILE.json}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates model ID from a JSON spec (or resets it if it exists).",
            footerHeading = "%nExample:%n",
            footer = {
                "  echo '{\"layers\":[2,3,1],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":42}' > xor.json",
                "  backprop-streams model create xor --spec xor.json",
            })
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;
        @Option(names = "--spec", required = true, paramLabel = "FILE.json", description = "The spec in JSON form.")
        Path specFile;

        @Override
        public Integer call() throws IOException {
            String json;
            try {
                json = Files.readString(specFile, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UserException("spec file '" + specFile + "' does not exist");
            }
            ModelSpec modelSpec;
            try {
                modelSpec = ModelSpecs.fromJson(json);
            } catch (DecodingException e) {
                throw new UserException("spec file '" + specFile + "' is invalid: " + e.getMessage());
            }
            send(kafka, id, Serdes.MODEL_SPEC.encode(modelSpec));
            spec.commandLine().getOut().printf("Model '%s' created: %s%n", id, ModelSpecs.toJson(modelSpec));
            return 0;
        }
    }

    /** {@code model reset ID}. */
    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Resets model ID to its initial weights and step 0 by re-sending its latest spec.",
            footerHeading = "%nExample:%n", footer = "  backprop-streams model reset lecture")
    static final class Reset implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;

        @Override
        public Integer call() {
            ModelSpec latest = readSpecs(kafka).get(id);
            if (latest == null && Lecture.MODEL_ID.equals(id)) {
                latest = ModelSpecs.lecture();
            }
            if (latest == null) {
                throw new UserException("no model '" + id + "' on topic '" + TopicNames.from(kafka.properties()).models() + "'");
            }
            send(kafka, id, Serdes.MODEL_SPEC.encode(latest));
            spec.commandLine().getOut().printf("Model '%s' reset.%n", id);
            return 0;
        }
    }

    /** {@code model delete ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes model ID (a tombstone on the models topic).",
            footerHeading = "%nExample:%n", footer = "  backprop-streams model delete xor")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;

        @Override
        public Integer call() {
            send(kafka, id, null);
            spec.commandLine().getOut().printf("Model '%s' deleted.%n", id);
            return 0;
        }
    }

    /** {@code model list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the models defined on the models topic.",
            footerHeading = "%nExample:%n", footer = "  backprop-streams model list")
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, ModelSpec> specs = readSpecs(kafka);
            if (!specs.containsKey(Lecture.MODEL_ID)) {
                out.printf("%-20s %s (built in)%n", Lecture.MODEL_ID, ModelSpecs.toJson(ModelSpecs.lecture()));
            }
            specs.forEach((id, s) -> out.printf("%-20s %s%n", id, ModelSpecs.toJson(s)));
            out.flush();
            return 0;
        }
    }

    static void send(KafkaOptions kafka, String id, byte[] value) {
        Properties props = kafka.properties();
        String topic = TopicNames.from(props).models();
        try (KafkaProducer<String, byte[]> producer = Clients.producer(props)) {
            producer.send(new ProducerRecord<>(topic, id, value)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new UserException("cannot write to topic '" + topic + "' at " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(), e);
        } catch (java.util.concurrent.TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
            throw new UserException("no Kafka cluster answered at " + kafka.bootstrapServers() + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }

    /** The latest valid spec of every model on the models topic, tombstones applied. */
    static Map<String, ModelSpec> readSpecs(KafkaOptions kafka) {
        Properties props = kafka.properties();
        String topic = TopicNames.from(props).models();
        Map<String, ModelSpec> specs = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(props)) {
            Clients.readToEnd(consumer, topic, Duration.ofSeconds(60), r -> {
                if (r.key() == null) {
                    return;
                }
                String id = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    specs.remove(id);
                    return;
                }
                try {
                    specs.put(id, ModelSpecs.decode(r.value()));
                } catch (DecodingException e) {
                    // an invalid spec never became a model; the trainer dead-lettered it
                }
            });
        } catch (UserException e) {
            if (e.getMessage().contains("does not exist")) {
                return specs;
            }
            throw e;
        }
        return specs;
    }
}
