package io.backpropstreams.cli;

import io.backpropstreams.avro.PredictRequestCodec;
import io.backpropstreams.client.PredictionClient;
import io.backpropstreams.client.SampleSender;
import io.backpropstreams.client.UserException;
import io.backpropstreams.report.OutputRecordFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code predict}: one request on predict-requests, and its prediction printed. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Asks a model for its outputs on one input, without training it: sends a request to the predict-requests "
                + "topic and prints the prediction the trainer writes to the predictions topic (read_committed), with the "
                + "model's step and, for a softmax model, the predicted class.",
            "The request id (a random one unless --request-id is given) matches the answer. A refused request (unknown "
                + "model, wrong input length, …) is printed with its dead-letter reason, exit 1.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams predict --model lecture --input 0.05,0.10",
            "  backprop-streams predict --model xor --input 1,0 --request-id r-42 --json",
            "  backprop-streams predict --model m1 --input 0.2,0.7,0.1 --encoding json --timeout 60",
        })
public final class PredictCommand implements Callable<Integer> {

    /** Long enough for a trainer that is still rebalancing, short enough for a stopped one to show. */
    static final int DEFAULT_TIMEOUT_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, paramLabel = "ID", description = "Model id: the key of the request.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "X1,X2,…", description = "The input vector, comma-separated.")
    String input;

    @Option(names = "--request-id", paramLabel = "ID", description = "Id echoed in the prediction (default: a random UUID).")
    String requestId;

    @Option(names = "--encoding", defaultValue = "avro",
            description = "Wire format of the request: avro (single-object encoding) or json (default ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--json", description = "Print the prediction as one JSON object, every value in full.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
            description = "Seconds to wait in all: for the cluster to answer, then for the prediction (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        ModelCommand.requireValidId(spec, model);
        double[] vector = parseInput(spec, input);
        SampleSender.Encoding enc = ProduceCommand.parseEncoding(spec, encoding);
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        if (requestId != null && requestId.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--request-id must not be empty");
        }
        String id = requestId != null ? requestId : UUID.randomUUID().toString();
        byte[] request = enc == SampleSender.Encoding.AVRO ? PredictRequestCodec.toAvro(vector, id)
                : PredictRequestCodec.toJson(vector, id).getBytes(StandardCharsets.UTF_8);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        long start = System.nanoTime();
        Properties props = kafka.reachable(timeout);
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        PredictionClient.Answer answer = new PredictionClient(props).ask(model, id, request,
                left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left);
        if (answer instanceof PredictionClient.Refused refused) {
            throw new UserException("model '" + model + "' refused request '" + id + "': " + refused.reason() + ": " + refused.message());
        }
        PredictionClient.Answered answered = (PredictionClient.Answered) answer;
        PrintWriter out = spec.commandLine().getOut();
        out.println(new OutputRecordFormatter(OutputRecordFormatter.Kind.PREDICTIONS, json).format(answered.record()));
        out.flush();
        return 0;
    }

    /** A decimal number as JSON writes one, optionally with a leading '+' or a bare fraction ({@code .5}). */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** {@code 0.05,0.10} as a vector; a usage error naming the value that is not a finite decimal number. */
    static double[] parseInput(CommandSpec spec, String text) {
        String[] parts = text.split(",", -1);
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            // Double.parseDouble would also take NaN, Infinity, hex floats and 1d; the trainer wants finite decimals
            if (!DECIMAL.matcher(p).matches()) {
                throw new ParameterException(spec.commandLine(), "--input value " + (i + 1) + " '" + p + "' is not a decimal number");
            }
            v[i] = Double.parseDouble(p);
            if (!Double.isFinite(v[i])) {
                throw new ParameterException(spec.commandLine(), "--input value " + (i + 1) + " '" + p + "' is out of range (not finite)");
            }
        }
        return v;
    }
}
