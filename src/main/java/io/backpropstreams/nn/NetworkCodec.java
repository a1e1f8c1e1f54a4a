package io.backpropstreams.nn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Serialises a network's full training state (spec, step count, parameter vector, optimizer
 * state) to bytes and back, exactly: doubles travel as their raw IEEE-754 bits.
 *
 * <p>Format, big-endian, version 1:
 * <pre>
 *   'B' 'P' version:u8
 *   nLayers:i32  layers:i32[nLayers]  activations:u8[nLayers−1]
 *   loss:u8  learningRate:f64  updateRule:u8  trainBiases:u8  optimizer:u8  momentum:f64
 *   step:i64  nParams:i32  params:f64[nParams]  hasVelocity:u8  velocity:f64[nParams]?
 * </pre>
 * Enum values are stored by ordinal; new constants are only ever appended.
 */
public final class NetworkCodec {

    private static final byte VERSION = 1;

    private NetworkCodec() {
    }

    /** Number of bytes {@link #encode} produces for this network. */
    public static int encodedSize(Network network) {
        NetworkSpec spec = network.spec();
        int n = network.layout().parameterCount();
        return 3 + 4 + 4 * spec.layers().size() + spec.depth() + 1 + 8 + 1 + 1 + 1 + 8 + 8 + 4 + 8 * n + 1
                + (spec.optimizer() == Optimizer.MOMENTUM ? 8 * n : 0);
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
        buf.put((byte) 'B').put((byte) 'P').put(VERSION);
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
        buf.putLong(network.step());
        int n = network.layout().parameterCount();
        buf.putInt(n);
        network.writeParameters(buf.asDoubleBuffer());
        buf.position(buf.position() + 8 * n);
        boolean momentum = spec.optimizer() == Optimizer.MOMENTUM;
        buf.put((byte) (momentum ? 1 : 0));
        if (momentum) {
            network.writeVelocity(buf.asDoubleBuffer());
            buf.position(buf.position() + 8 * n);
        }
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
            if (version != VERSION) {
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
            NetworkSpec spec = new NetworkSpec(layers, activations, loss, eta, rule, trainBiases, optimizer, momentum);
            long step = buf.getLong();
            int n = buf.getInt();
            if (n < 0 || n > buf.remaining() / 8) {
                throw new IllegalArgumentException("network state claims " + n + " parameters but holds " + buf.remaining() + " bytes");
            }
            double[] params = new double[n];
            buf.asDoubleBuffer().get(params);
            buf.position(buf.position() + 8 * n);
            double[] velocity = null;
            if (buf.get() != 0) {
                if (buf.remaining() < 8 * n) {
                    throw new IllegalArgumentException("network state is truncated in its velocity (" + length + " bytes)");
                }
                velocity = new double[n];
                buf.asDoubleBuffer().get(velocity);
                buf.position(buf.position() + 8 * n);
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("network state has " + buf.remaining() + " trailing bytes");
            }
            return new Network(spec, params, step, velocity);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("network state is truncated (" + length + " bytes)", e);
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, byte ordinal, String what) {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IllegalArgumentException("network state has unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }
}
