package io.backpropstreams.cli;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.client.ModelAdmin;
import io.backpropstreams.topology.ModelIds;
import io.backpropstreams.client.UserException;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.schema.ModelSpec;
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
import java.util.Map;
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
        @Mixin
        ConnectTimeout timeout;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;
        @Option(names = "--spec", required = true, paramLabel = "FILE.json", description = "The spec in JSON form.")
        Path specFile;

        @Override
        public Integer call() throws IOException {
            requireValidId(spec, id);
            String json;
            try {
                json = Files.readString(specFile, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UserException("spec file '" + specFile + "' does not exist");
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new UserException("spec file '" + specFile + "' is not UTF-8 text; a spec is a JSON object such as "
                        + "{\"layers\":[2,3,1],\"learningRate\":0.5}");
            }
            ModelSpec modelSpec;
            try {
                modelSpec = ModelSpecs.fromJson(json);
            } catch (DecodingException e) {
                throw new UserException("spec file '" + specFile + "' is invalid: " + e.getMessage());
            }
            new ModelAdmin(kafka.reachable(timeout)).send(id, Serdes.MODEL_SPEC.encode(modelSpec));
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
        @Mixin
        ConnectTimeout timeout;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;

        @Override
        public Integer call() {
            requireValidId(spec, id);
            ModelAdmin admin = new ModelAdmin(kafka.reachable(timeout));
            ModelSpec latest = admin.readSpecs().get(id);
            if (latest == null && Lecture.MODEL_ID.equals(id)) {
                latest = ModelSpecs.lecture();
            }
            if (latest == null) {
                throw new UserException("no model '" + id + "' on topic '" + admin.topic() + "'");
            }
            admin.send(id, Serdes.MODEL_SPEC.encode(latest));
            spec.commandLine().getOut().printf("Model '%s' reset.%n", id);
            return 0;
        }
    }

    /** {@code model delete ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes model ID (a tombstone on the models topic). An id the models topic does not hold is refused (exit 1).",
            footerHeading = "%nExample:%n", footer = "  backprop-streams model delete xor")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        ConnectTimeout timeout;
        @Parameters(index = "0", paramLabel = "ID", description = "Model id.")
        String id;
        @Option(names = "--force", description = "Send the tombstone even if the models topic holds no spec for ID.")
        boolean force;

        @Override
        public Integer call() {
            ModelAdmin admin = new ModelAdmin(kafka.reachable(timeout));
            // any id the topic holds, valid or not: a model named before the id rule must still be deletable
            if (!force && !Lecture.MODEL_ID.equals(id) && !admin.read().ids().contains(id)) {
                throw new UserException("no model '" + id + "' on topic '" + admin.topic() + "' (model list shows the models; "
                        + "--force sends the tombstone anyway)");
            }
            admin.send(id, null);
            spec.commandLine().getOut().printf("Model '%s' deleted.%n", id);
            return 0;
        }
    }

    /** {@code model list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists the models defined on the models topic: id, shape, committed step, loss EMA and when the trainer "
                    + "last reported progress (from the training-progress topic)."},
            footerHeading = "%nExamples:%n", footer = {"  backprop-streams model list", "  backprop-streams model list --json"})
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        ConnectTimeout timeout;
        @Option(names = "--json", description = "One JSON object per model, with its whole spec.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ModelAdmin admin = new ModelAdmin(kafka.reachable(timeout));
            // the two topics are read at once, each by its own consumer: the listing takes the longer read, not the sum
            java.util.concurrent.CompletableFuture<Map<String, io.backpropstreams.schema.TrainingProgress>> reading =
                    java.util.concurrent.CompletableFuture.supplyAsync(admin::readProgress);
            Map<String, ModelSpec> specs = new java.util.TreeMap<>(admin.readSpecs());
            specs.putIfAbsent(Lecture.MODEL_ID, ModelSpecs.lecture());
            Map<String, io.backpropstreams.schema.TrainingProgress> progress;
            try {
                progress = reading.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            new io.backpropstreams.report.ModelTable(specs, progress).print(out, json);
            out.flush();
            return 0;
        }
    }

    /** A usage error (exit 2) naming the id, for an id the trainer would dead-letter. */
    static void requireValidId(CommandSpec spec, String id) {
        String problem = ModelIds.problem(id);
        if (problem != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), problem);
        }
    }
}
