package io.backpropstreams.nn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Serialises a network's full training state (spec, step count, parameter vector, optimizer
 * state, input statistics) to bytes and back, exactly: doubles travel as their raw IEEE-754 bits.
 *
 * <p>Format, big-endian, version 2 (written):
 * <pre>
 *   'B' 'P' version:u8
 *   nLayers:i32  layers:i32[nLayers]  activations:u8[nLayers−1]
 *   loss:u8  learningRate:f64  updateRule:u8  trainBiases:u8  optimizer:u8  momentum:f64
 *   beta1:f64  beta2:f64  epsilon:f64  weightDecay:f64  clipNorm:f64
 *   scheduleKind:u8  scheduleDecay:f64  scheduleEvery:i64  standardizeInputs:u8
 *   step:i64  optimizerStep:i64  nParams:i32  params:f64[nParams]
 *   nMoments:u8  moments:f64[nMoments][nParams]
 *   if standardizeInputs: count:i64  mean:f64[layers[0]]  m2:f64[layers[0]]
 * </pre>
 * Version 1 ends after {@code momentum} with
 * {@code step:i64 nParams:i32 params hasVelocity:u8 velocity:f64[nParams]?}; it stands for the
 * optimizer's default settings, a constant rate and raw inputs. A network that needs nothing more
 * (sgd or momentum, default settings, constant rate, raw inputs, no optimizer reset, no softmax) is
 * still written as version 1, byte for byte as before version 2 existed, so that a trainer of the
 * previous release can read every model it could create.
 * Enum values are stored by ordinal; new constants are only ever appended.
 */
public final class NetworkCodec {

    private static final byte VERSION = 2;
    private static final byte VERSION_1 = 1;

    private NetworkCodec() {
    }

    /** True if version 1 holds the whole state of this network. */
    private static boolean fitsVersion1(Network network) {
        NetworkSpec spec = network.spec();
        return (spec.optimizer() == Optimizer.SGD || spec.optimizer() == Optimizer.MOMENTUM)
                && spec.settings().equals(OptimizerSettings.defaults(spec.optimizer()))
                && spec.schedule().equals(Schedule.CONSTANT) && !spec.standardizeInputs()
                && network.optimizerStep() == network.step()
                && spec.loss().ordinal() <= Loss.CROSS_ENTROPY.ordinal()
                && spec.activations().stream().allMatch(a -> a.ordinal() <= Activation.LINEAR.ordinal());
    }

    /** Number of bytes {@link #encode} produces for this network. */
    public static int encodedSize(Network network) {
        NetworkSpec spec = network.spec();
        int n = network.layout().parameterCount();
        if (fitsVersion1(network)) {
            return 3 + 4 + 4 * spec.layers().size() + spec.depth() + 1 + 8 + 1 + 1 + 1 + 8 + 8 + 4 + 8 * n + 1
                    + (spec.optimizer() == Optimizer.MOMENTUM ? 8 * n : 0);
        }
        int header = 3 + 4 + 4 * spec.layers().size() + spec.depth() + 1 + 8 + 1 + 1 + 1 + 8 + 5 * 8 + 1 + 8 + 8 + 1;
        int state = 8 + 8 + 4 + 8 * n + 1 + spec.optimizer().stateVectors() * 8 * n;
        int stats = spec.standardizeInputs() ? 8 + 2 * 8 * spec.inputSize() : 0;
        return header + state + stats;
    }

    /** The network's state as bytes. */
    public static byte[] encode(Network network) {
        ByteBuffer buf = ByteBuffer.allocate(encodedSize(network));
        encode(network, buf);
        return buf.array();
    }

    /**
     * Writes the network's state at {@code buf}'s position, advancing it by {@link #encodedSize}:
     * for a caller that frames the state inside a larger record without copying it again.
     */
    public static void encode(Network network, ByteBuffer buf) {
        NetworkSpec spec = network.spec();
        boolean v1 = fitsVersion1(network);
        buf.put((byte) 'B').put((byte) 'P').put(v1 ? VERSION_1 : VERSION);
        buf.putInt(spec.layers().size());
        for (int n : spec.layers()) {
            buf.putInt(n);
        }
        for (Activation a : spec.activations()) {
            buf.put((byte) a.ordinal());
        }
        buf.put((byte) spec.loss().ordinal());
        buf.putDouble(spec.learningRate());
        buf.put((byte) spec.updateRule().ordinal());
        buf.put((byte) (spec.trainBiases() ? 1 : 0));
        buf.put((byte) spec.optimizer().ordinal());
        buf.putDouble(spec.momentum());
        if (v1) {
            buf.putLong(network.step());
            int n = network.layout().parameterCount();
            buf.putInt(n);
            network.writeParameters(buf.asDoubleBuffer());
            buf.position(buf.position() + 8 * n);
            boolean momentum = spec.optimizer() == Optimizer.MOMENTUM;
            buf.put((byte) (momentum ? 1 : 0));
            if (momentum) {
                network.writeMoment(0, buf.asDoubleBuffer());
                buf.position(buf.position() + 8 * n);
            }
            return;
        }
        OptimizerSettings o = spec.settings();
        buf.putDouble(o.beta1()).putDouble(o.beta2()).putDouble(o.epsilon()).putDouble(o.weightDecay()).putDouble(o.clipNorm());
        buf.put((byte) spec.schedule().kind().ordinal());
        buf.putDouble(spec.schedule().decay());
        buf.putLong(spec.schedule().every());
        buf.put((byte) (spec.standardizeInputs() ? 1 : 0));
        buf.putLong(network.step());
        buf.putLong(network.optimizerStep());
        int n = network.layout().parameterCount();
        buf.putInt(n);
        network.writeParameters(buf.asDoubleBuffer());
        buf.position(buf.position() + 8 * n);
        int vectors = spec.optimizer().stateVectors();
        buf.put((byte) vectors);
        for (int v = 0; v < vectors; v++) {
            network.writeMoment(v, buf.asDoubleBuffer());
            buf.position(buf.position() + 8 * n);
        }
        if (spec.standardizeInputs()) {
            InputStandardizer stats = network.standardizer();
            buf.putLong(stats.count());
            putAll(buf, stats.mean());
            putAll(buf, stats.m2());
        }
    }

    private static void putAll(ByteBuffer buf, double[] values) {
        buf.asDoubleBuffer().put(values);
        buf.position(buf.position() + 8 * values.length);
    }

    private static double[] getAll(ByteBuffer buf, int n, String what, int length) {
        if (n < 0 || n > buf.remaining() / 8) {
            throw new IllegalArgumentException("network state claims " + n + " " + what + " but holds " + buf.remaining()
                    + " more bytes (" + length + " in all)");
        }
        double[] values = new double[n];
        buf.asDoubleBuffer().get(values);
        buf.position(buf.position() + 8 * n);
        return values;
    }

    /**
     * Rebuilds a network from {@link #encode}'s bytes.
     *
     * @throws IllegalArgumentException if the bytes are not a valid encoding
     */
    public static Network decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Rebuilds a network from the encoding between {@code buf}'s position and its limit.
     *
     * @throws IllegalArgumentException if those bytes are not a valid encoding
     */
    public static Network decode(ByteBuffer buf) {
        int length = buf.remaining();
        try {
            if (buf.get() != 'B' || buf.get() != 'P') {
                throw new IllegalArgumentException("not a network state: bad magic");
            }
            byte version = buf.get();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("unsupported network state version " + version);
            }
            int nLayers = buf.getInt();
            if (nLayers < 2 || nLayers > NetworkSpec.MAX_LAYERS) {
                throw new IllegalArgumentException("network state has " + nLayers + " layers; a network has 2 to " + NetworkSpec.MAX_LAYERS);
            }
            List<Integer> layers = new ArrayList<>(nLayers);
            for (int l = 0; l < nLayers; l++) {
                layers.add(buf.getInt());
            }
            List<Activation> activations = new ArrayList<>(nLayers - 1);
            for (int l = 1; l < nLayers; l++) {
                activations.add(enumAt(Activation.values(), buf.get(), "activation"));
            }
            Loss loss = enumAt(Loss.values(), buf.get(), "loss");
            double eta = buf.getDouble();
            UpdateRule rule = enumAt(UpdateRule.values(), buf.get(), "update rule");
            boolean trainBiases = buf.get() != 0;
            Optimizer optimizer = enumAt(Optimizer.values(), buf.get(), "optimizer");
            double momentum = buf.getDouble();
            if (version == VERSION_1) {
                return decodeVersion1(buf, length, new NetworkSpec(layers, activations, loss, eta, rule, trainBiases, optimizer, momentum));
            }
            OptimizerSettings settings = new OptimizerSettings(buf.getDouble(), buf.getDouble(), buf.getDouble(), buf.getDouble(), buf.getDouble());
            Schedule.Kind kind = enumAt(Schedule.Kind.values(), buf.get(), "schedule kind");
            Schedule schedule = new Schedule(kind, buf.getDouble(), buf.getLong());
            boolean standardize = buf.get() != 0;
            NetworkSpec spec = new NetworkSpec(layers, activations, loss, eta, rule, trainBiases, optimizer, momentum,
                    settings, schedule, standardize);
            long step = buf.getLong();
            long optimizerStep = buf.getLong();
            int n = buf.getInt();
            double[] params = getAll(buf, n, "parameters", length);
            int vectors = buf.get();
            if (vectors != optimizer.stateVectors()) {
                throw new IllegalArgumentException("network state holds " + vectors + " optimizer state vectors; " + optimizer.id()
                        + " keeps " + optimizer.stateVectors());
            }
            double[][] moments = new double[vectors][];
            for (int v = 0; v < vectors; v++) {
                moments[v] = getAll(buf, n, "optimizer state values", length);
            }
            InputStandardizer stats = null;
            if (standardize) {
                long count = buf.getLong();
                int inputs = layers.get(0);
                stats = new InputStandardizer(count, getAll(buf, inputs, "input means", length), getAll(buf, inputs, "input variances", length));
            }
            requireEnd(buf);
            return new Network(spec, params, step, optimizerStep, moments, stats);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("network state is truncated (" + length + " bytes)", e);
        }
    }

    private static Network decodeVersion1(ByteBuffer buf, int length, NetworkSpec spec) {
        long step = buf.getLong();
        int n = buf.getInt();
        double[] params = getAll(buf, n, "parameters", length);
        double[] velocity = null;
        if (buf.get() != 0) {
            if (buf.remaining() < 8 * n) {
                throw new IllegalArgumentException("network state is truncated in its velocity (" + length + " bytes)");
            }
            velocity = getAll(buf, n, "velocity values", length);
        }
        requireEnd(buf);
        return new Network(spec, params, step, velocity);
    }

    private static void requireEnd(ByteBuffer buf) {
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException("network state has " + buf.remaining() + " trailing bytes");
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, byte ordinal, String what) {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IllegalArgumentException("network state has unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }
}
