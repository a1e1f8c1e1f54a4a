package io.backpropstreams.cli;

import io.backpropstreams.client.SampleFileReader;
import io.backpropstreams.client.SampleSender;
import io.backpropstreams.client.UserException;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.topology.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code produce}: sends samples from a file or stdin to the samples topic. */
@Command(name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Produces samples for one model from JSON lines or CSV, read from a file or stdin.",
            "Each line is checked first; a malformed line is reported with its line number and skipped, and "
                + "the exit code is 1 if any line was skipped.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  echo '{\"input\":[0.05,0.1],\"target\":[0.01,0.99]}' | backprop-streams produce --model lecture",
            "  backprop-streams produce --model xor --file xor.csv --format csv --inputs 2",
            "  backprop-streams produce --model m1 --file samples.jsonl --encoding json",
        })
public final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;
    @Mixin
    ConnectTimeout timeout;

    @Option(names = "--model", required = true, description = "Model id: the key of every sample.")
    String model;

    @Option(names = "--file", defaultValue = "-", description = "File to read, or - for stdin (default).")
    String file;

    @Option(names = "--format", defaultValue = "json", description = "json (one object per line) or csv (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--inputs", paramLabel = "N", description = "CSV only: how many leading columns are inputs; the rest are targets.")
    Integer inputs;

    @Option(names = "--encoding", defaultValue = "avro", description = "Wire format: avro (single-object encoding) or json (default ${DEFAULT-VALUE}).")
    String encoding;

    @Override
    public Integer call() throws Exception {
        SampleFileReader.Format fmt = parseFormat();
        SampleSender.Encoding enc = parseEncoding(spec, encoding);
        ModelCommand.requireValidId(spec, model);
        if (fmt == SampleFileReader.Format.CSV && (inputs == null || inputs < 1)) {
            throw new ParameterException(spec.commandLine(), "--format csv needs --inputs N (N ≥ 1), got " + (inputs == null ? "none" : inputs));
        }
        PrintWriter err = spec.commandLine().getErr();
        SampleFileReader.Result result;
        try (BufferedReader reader = open()) {
            result = SampleFileReader.read(reader, fmt, inputs == null ? 0 : inputs, problem -> err.println("skipped " + problem));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UserException("sample file '" + file + "' is not UTF-8 text; produce reads JSON lines or CSV");
        }
        Properties props = kafka.reachable(timeout);
        String topic = TopicNames.from(props).samples();
        try (SampleSender sender = new SampleSender(props, topic, enc, 0)) {
            for (SampleCodec.Vectors v : result.samples()) {
                sender.send(model, sender.encode(v.input(), v.target()));
            }
            sender.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Produced %,d samples for model '%s' to topic '%s'; %,d malformed %s skipped.%n",
                result.samples().size(), model, topic, result.skipped(), result.skipped() == 1 ? "line" : "lines");
        out.flush();
        err.flush();
        return result.skipped() == 0 ? 0 : 1;
    }

    private SampleFileReader.Format parseFormat() {
        try {
            return SampleFileReader.Format.valueOf(format.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be json or csv, got '" + format + "'");
        }
    }

    static SampleSender.Encoding parseEncoding(CommandSpec spec, String encoding) {
        try {
            return SampleSender.Encoding.parse(encoding);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--encoding must be avro or json, got '" + encoding + "'");
        }
    }

    private BufferedReader open() throws IOException {
        if (file.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        try {
            return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException("sample file '" + file + "' does not exist");
        }
    }
}
