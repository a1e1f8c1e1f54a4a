package io.backpropstreams.avro;

import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.ParameterLayout;
import org.apache.avro.io.BinaryData;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the trainer's two per-sample records, {@code TrainingMetric} and {@code WeightsUpdate},
 * and its per-request {@code Prediction}, in Avro single-object encoding straight from the model's {@code double[]} vectors, with Avro's
 * own {@link BinaryData} primitives into one reused buffer.
 *
 * <p>Why not the generated classes and {@link AvroSerde}: they need every value boxed into a
 * {@code List<Double>}, a record object per layer, and a generic writer walking the schema, which
 * was a sixth of the stream thread's time on the lecture model. The bytes are the same:
 * {@code OutputEncoderTest} checks them against {@link Serdes} on random records, so every reader
 * of the topics (ours, Avro's generic reader, other languages) is unaffected.
 *
 * <p>Not thread-safe: one per processor.
 */
public final class OutputEncoder {

    private static final byte[] METRIC_HEADER = Serdes.TRAINING_METRIC.singleObjectHeader();
    private static final byte[] WEIGHTS_HEADER = Serdes.WEIGHTS_UPDATE.singleObjectHeader();
    private static final byte[] PREDICTION_HEADER = Serdes.PREDICTION.singleObjectHeader();

    private byte[] buf = new byte[256];
    private int pos;

    /**
     * The single-object encoding of the {@code TrainingMetric} with these fields.
     *
     * @param correct null for a sample that is not a classification sample (the union's null branch)
     */
    public byte[] trainingMetric(String modelId, long step, double loss, double[] output, double[] target, double lossEma,
                                 long timestampMs, Boolean correct) {
        start(METRIC_HEADER, 64 + modelId.length() * 3 + 9 * (output.length + target.length));
        string(modelId);
        varLong(step);
        doubleValue(loss);
        doubles(output, 0, output.length);
        doubles(target, 0, target.length);
        doubleValue(lossEma);
        varLong(timestampMs);
        // ["null","boolean"]: the branch index, then the boolean's one byte if it is not null
        if (correct == null) {
            varLong(0);
        } else {
            varLong(1);
            ensure(1);
            pos += BinaryData.encodeBoolean(correct, buf, pos);
        }
        return Arrays.copyOf(buf, pos);
    }

    /** The single-object encoding of what {@link WeightsUpdates#of} builds for these arguments. */
    public byte[] weightsUpdate(String modelId, String event, Network network, int sourcePartition, long sourceOffset, long timestampMs) {
        ParameterLayout layout = network.layout();
        start(WEIGHTS_HEADER, 64 + (modelId.length() + event.length()) * 3 + 9 * layout.parameterCount() + 32 * layout.depth());
        string(modelId);
        varLong(network.step());
        string(event);
        varLong(layout.depth());
        for (int l = 1; l <= layout.depth(); l++) {
            varLong(layout.size(l - 1));
            varLong(layout.size(l));
            string(network.spec().activations().get(l - 1).id());
            parameters(network, layout.weightOffset(l), layout.weightCount(l));
            parameters(network, layout.biasOffset(l), layout.size(l));
        }
        varLong(0);
        varLong(sourcePartition);
        varLong(sourceOffset);
        varLong(timestampMs);
        return Arrays.copyOf(buf, pos);
    }

    /**
     * The single-object encoding of the {@code Prediction} with these fields.
     *
     * @param requestId      the caller's id, or null
     * @param predictedClass the class index, or a negative number for none (null)
     */
    public byte[] prediction(String modelId, String requestId, long step, double[] outputs, int predictedClass,
                             int sourcePartition, long sourceOffset, long timestampMs) {
        start(PREDICTION_HEADER, 64 + (modelId.length() + (requestId == null ? 0 : requestId.length())) * 3 + 9 * outputs.length);
        string(modelId);
        if (requestId == null) {
            varLong(0);
        } else {
            varLong(1);
            string(requestId);
        }
        varLong(step);
        doubles(outputs, 0, outputs.length);
        if (predictedClass < 0) {
            varLong(0);
        } else {
            varLong(1);
            varLong(predictedClass);
        }
        varLong(sourcePartition);
        varLong(sourceOffset);
        varLong(timestampMs);
        return Arrays.copyOf(buf, pos);
    }

    private void start(byte[] header, int expectedSize) {
        pos = 0;
        ensure(header.length + expectedSize);
        System.arraycopy(header, 0, buf, 0, header.length);
        pos = header.length;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    /** int and long share Avro's zig-zag varint; an int never needs more than 5 of its up to 10 bytes. */
    private void varLong(long v) {
        ensure(10);
        pos += BinaryData.encodeLong(v, buf, pos);
    }

    private void doubleValue(double v) {
        ensure(8);
        pos += BinaryData.encodeDouble(v, buf, pos);
    }

    private void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        varLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, pos, utf8.length);
        pos += utf8.length;
    }

    /** An Avro array as one block: its count, the items, and the terminating 0 (none for an empty array). */
    private void doubles(double[] values, int from, int to) {
        int n = to - from;
        if (n > 0) {
            varLong(n);
            ensure(8 * n);
            for (int i = from; i < to; i++) {
                pos += BinaryData.encodeDouble(values[i], buf, pos);
            }
        }
        varLong(0);
    }

    /** {@code n} parameters of the network's flat vector from {@code offset}, as one Avro array. */
    private void parameters(Network network, int offset, int n) {
        if (n > 0) {
            varLong(n);
            ensure(8 * n);
            for (int k = offset; k < offset + n; k++) {
                pos += BinaryData.encodeDouble(network.parameter(k), buf, pos);
            }
        }
        varLong(0);
    }
}
