package io.backpropstreams.cli;

import io.backpropstreams.client.SampleFileReader;
import io.backpropstreams.client.SampleSender;
import io.backpropstreams.client.UserException;
import io.backpropstreams.report.ProgressBar;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.topology.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code replay}: the lecture sample N times, or a file's samples for E epochs, with a progress bar. */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replays the lecture sample (input 0.05, 0.10; target 0.01, 0.99) N times, or the samples of a "
                + "JSON-lines or CSV file for E epochs, to the samples topic, with a progress bar.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams replay --model lecture --times 10000",
            "  backprop-streams replay --model lecture --times 1000 --rate 200",
            "  backprop-streams replay --model xor --file xor.csv --format csv --inputs 2 --epochs 500",
        })
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;
    @Mixin
    ConnectTimeout timeout;

    @Option(names = "--model", defaultValue = Lecture.MODEL_ID, description = "Model id (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--times", defaultValue = "10000", description = "How often to send the lecture sample (default ${DEFAULT-VALUE}).")
    long times;

    @Option(names = "--file", description = "Replay this file's samples instead of the lecture sample.")
    Path file;

    @Option(names = "--format", defaultValue = "json", description = "File format: json or csv (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--inputs", defaultValue = "-1", description = "CSV only: number of input columns.")
    int inputs;

    @Option(names = "--epochs", defaultValue = "1", description = "With --file: passes over the file (default ${DEFAULT-VALUE}).")
    long epochs;

    @Option(names = "--rate", defaultValue = "0", description = "Samples per second; 0 = as fast as possible (default).")
    double rate;

    @Option(names = "--encoding", defaultValue = "avro", description = "avro or json (default ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    /**
     * Samples for a model that does not exist go to dead-letters (unknown-model): say so before
     * sending them. A principal that may not read the models topic (a plain producer) skips the check.
     */
    private void warnIfUnknown(Properties props, PrintWriter err) {
        if (model.equals(Lecture.MODEL_ID)) {
            return; // the trainer creates the lecture's model on its first sample
        }
        try {
            io.backpropstreams.client.ModelAdmin admin = new io.backpropstreams.client.ModelAdmin(props);
            if (!admin.readSpecs().containsKey(model)) {
                err.printf("warning: no model '%s' on topic '%s': the trainer sends its samples to dead-letters (unknown-model) "
                        + "until it is created (backprop-streams model create %s --spec FILE)%n", model, admin.topic(), model);
                err.flush();
            }
        } catch (RuntimeException cannotReadModels) {
            // not allowed to read the models topic, or it does not exist yet: nothing to warn about from here
        }
    }

    @Override
    public Integer call() throws Exception {
        ModelCommand.requireValidId(spec, model);
        if (times < 0) {
            throw new ParameterException(spec.commandLine(), "--times must be ≥ 0, got " + times);
        }
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be ≥ 1, got " + epochs);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new ParameterException(spec.commandLine(), "--rate must be a finite number ≥ 0, got " + rate);
        }
        SampleSender.Encoding enc = ProduceCommand.parseEncoding(spec, encoding);
        List<SampleCodec.Vectors> samples = file == null
                ? List.of(new SampleCodec.Vectors(Lecture.INPUT, Lecture.TARGET)) : readFile();
        long total = file == null ? times : epochs * samples.size();
        Properties props = kafka.reachable(timeout);
        String topic = TopicNames.from(props).samples();
        PrintWriter err = spec.commandLine().getErr();
        warnIfUnknown(props, err);
        ProgressBar bar = ProgressBar.Factory.on(err, !quiet).start("replaying", total);
        long sent = 0;
        try (SampleSender sender = new SampleSender(props, topic, enc, rate)) {
            byte[][] encoded = samples.stream().map(v -> sender.encode(v.input(), v.target())).toArray(byte[][]::new);
            for (long i = 0; i < total; i++) {
                sender.send(model, encoded[(int) (i % encoded.length)]);
                sent++;
                bar.update(sent);
            }
            sender.flush();
        }
        bar.finish(sent);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Replayed %,d samples for model '%s' to topic '%s'.%n", sent, model, topic);
        out.flush();
        return 0;
    }

    private List<SampleCodec.Vectors> readFile() throws Exception {
        SampleFileReader.Format fmt;
        try {
            fmt = SampleFileReader.Format.valueOf(format.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be json or csv, got '" + format + "'");
        }
        if (fmt == SampleFileReader.Format.CSV && inputs < 1) {
            throw new ParameterException(spec.commandLine(), "--format csv needs --inputs N (N ≥ 1)");
        }
        PrintWriter err = spec.commandLine().getErr();
        SampleFileReader.Result r;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r = SampleFileReader.read(reader, fmt, inputs, p -> err.println("skipped " + p));
        } catch (NoSuchFileException e) {
            throw new UserException("sample file '" + file + "' does not exist");
        }
        if (r.samples().isEmpty()) {
            throw new UserException("sample file '" + file + "' holds no valid samples (" + r.skipped() + " malformed lines)");
        }
        return r.samples();
    }
}
