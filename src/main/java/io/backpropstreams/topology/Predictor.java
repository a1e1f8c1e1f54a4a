package io.backpropstreams.topology;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.avro.OutputEncoder;
import io.backpropstreams.avro.PredictRequestCodec;
import io.backpropstreams.nn.Classification;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;

/**
 * Answers one predict request with the model {@link TrainerProcessor} holds for its key: decode
 * ({@link PredictRequestCodec}), check the input against the model ({@link SampleValidator}), one
 * forward pass ({@link Network#predict}), and the {@code Prediction} record, encoded.
 *
 * <p>It never trains: the forward pass writes only the network's scratch activations, never its
 * parameters, step or optimizer state, and the processor neither stores the model nor marks it
 * touched for a request. The model it reads is the processor's live one, i.e. the state after
 * every record this task has processed before the request; the prediction is forwarded into the
 * same exactly-once transaction as those steps, so a reader that sees the prediction sees
 * (read_committed) every step it reflects, and an aborted transaction takes both away.
 *
 * <p>{@code predictedClass} is {@code argmax(outputs)} (the lowest index on a tie) for a
 * classification model, one whose output layer is softmax, and null for every other.
 *
 * <p>Not thread-safe: one per processor.
 */
final class Predictor {

    /** The dead-letter reason of a request whose forward pass gives an infinite or NaN output. */
    static final String NON_FINITE_OUTPUT = "non-finite-output";

    /** What became of one request: a prediction's bytes, or the reason and message there is none. */
    record Outcome(byte[] prediction, String reason, String message) {

        static Outcome rejected(String reason, String message) {
            return new Outcome(null, reason, message);
        }

        /** True if {@link #prediction()} holds the answer. */
        boolean answered() {
            return prediction != null;
        }
    }

    /** Longest request id a prediction echoes: an id is a correlation key, not a payload. */
    static final int MAX_REQUEST_ID = 256;

    private final OutputEncoder encoder = new OutputEncoder();
    /** The last forward pass's outputs, reused while the output size stays the same. */
    private double[] output = new double[0];

    /**
     * The answer to the request {@code value} from model {@code modelId}, as {@code network} stands.
     *
     * @param sourcePartition partition of predict-requests the request was written to
     * @param sourceOffset    its offset there
     * @param timestamp       the request's timestamp, which the prediction carries
     */
    Outcome answer(String modelId, Network network, byte[] value, int sourcePartition, long sourceOffset, long timestamp) {
        PredictRequestCodec.Request request;
        try {
            request = PredictRequestCodec.decode(value);
        } catch (DecodingException e) {
            return Outcome.rejected(e.reason(), e.getMessage());
        }
        if (request.requestId() != null && request.requestId().length() > MAX_REQUEST_ID) {
            return Outcome.rejected("invalid-request-id", "requestId has " + request.requestId().length()
                    + " characters; at most " + MAX_REQUEST_ID + " are echoed in a prediction");
        }
        NetworkSpec spec = network.spec();
        String problem = SampleValidator.inputProblem(modelId, spec, request.input());
        if (problem != null) {
            return Outcome.rejected(SampleValidator.inputReason(spec, request.input()), problem);
        }
        double[] out = output(spec.outputSize());
        network.predict(request.input(), out);
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                return Outcome.rejected(NON_FINITE_OUTPUT, "model '" + modelId + "' at step " + network.step() + " gives output["
                        + i + "] = " + out[i] + " for this input; a prediction carries finite outputs only");
            }
        }
        int predictedClass = spec.isClassifier() ? Classification.argmax(out) : -1;
        return new Outcome(encoder.prediction(modelId, request.requestId(), network.step(), out, predictedClass,
                sourcePartition, sourceOffset, timestamp), null, null);
    }

    private double[] output(int size) {
        if (output.length != size) {
            output = new double[size];
        }
        return output;
    }
}
