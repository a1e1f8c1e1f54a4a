package io.backpropstreams.topology;

import io.backpropstreams.nn.NetworkCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;

/**
 * Bytes of a {@link ModelState} in the store and its changelog, big-endian, followed by
 * {@link NetworkCodec}'s encoding of the network:
 * <pre>
 *   version 1:  'M' 1 publishEvery:i32 lossEma:f64
 *   version 2:  'M' 2 publishEvery:i32 lossEma:f64 classified:i64 correct:i64 accuracyEma:f64
 *   version 3:  'M' 3 publishEvery:i32 lossEma:f64 classified:i64 correct:i64 accuracyEma:f64 driftWatch
 * </pre>
 * Version 3 adds the {@link DriftWatch} and is written only for a model that has one.
 * Version 2 adds the prequential accuracy counts. It is written only for a model that has
 * classified a sample; any other state is written as version 1, byte for byte as before, so that
 * a regression model's changelog is unchanged and a trainer of the previous release can still read
 * it. Both versions are read; a version-1 state has classified nothing. Every double travels as
 * its raw bits, so a restored model is bit-identical to the one that was stored.
 */
public final class ModelStateSerde implements Serde<ModelState> {

    private static final int HEADER_V1 = 1 + 1 + 4 + 8;
    private static final int HEADER_V2 = HEADER_V1 + 8 + 8 + 8;
    private static final byte V1 = 1;
    private static final byte V2 = 2;
    private static final byte V3 = 3;

    /** Encodes {@code state}. */
    public static byte[] encode(ModelState state) {
        if (!state.isReadable()) {
            throw new SerializationException("an unreadable model state is never stored: " + state.unreadableReason());
        }
        DriftWatch drift = state.drift();
        boolean classifies = state.classified() > 0 || drift != null;
        byte version = drift != null ? V3 : classifies ? V2 : V1;
        ByteBuffer buf = ByteBuffer.allocate((classifies ? HEADER_V2 : HEADER_V1) + (drift == null ? 0 : drift.encodedSize())
                + NetworkCodec.encodedSize(state.network()));
        buf.put((byte) 'M').put(version).putInt(state.publishEvery()).putDouble(state.lossEma());
        if (classifies) {
            buf.putLong(state.classified()).putLong(state.correct()).putDouble(state.accuracyEma());
        }
        if (drift != null) {
            drift.encode(buf);
        }
        NetworkCodec.encode(state.network(), buf);
        return buf.array();
    }

    /** Decodes {@link #encode}'s bytes, of either version. */
    public static ModelState decode(byte[] bytes) {
        byte version = bytes.length < 2 ? 0 : bytes[1];
        int header = version == V1 ? HEADER_V1 : HEADER_V2;
        if (bytes.length < HEADER_V1 || bytes[0] != 'M' || (version != V1 && version != V2 && version != V3) || bytes.length < header) {
            throw new SerializationException("not a model state (" + bytes.length + " bytes"
                    + (bytes.length >= 2 && bytes[0] == 'M' ? ", version " + version : "") + ")");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.position(2);
        int publishEvery = buf.getInt();
        double ema = buf.getDouble();
        long classified = 0;
        long correct = 0;
        double accuracyEma = Double.NaN;
        if (version != V1) {
            classified = buf.getLong();
            correct = buf.getLong();
            accuracyEma = buf.getDouble();
        }
        try {
            DriftWatch drift = version == V3 ? DriftWatch.decode(buf) : null;
            io.backpropstreams.nn.Network network = NetworkCodec.decode(buf.slice());
            if (drift != null) {
                drift.requireFits(network.layout().parameterCount());
            }
            return new ModelState(network, publishEvery, ema, classified, correct, accuracyEma).withDrift(drift);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new SerializationException("corrupt model state: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<ModelState> serializer() {
        return (topic, state) -> state == null ? null : encode(state);
    }

    @Override
    public Deserializer<ModelState> deserializer() {
        // A state that does not decode stays one model's problem: it must not fail a range scan over all models.
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decode(bytes);
            } catch (RuntimeException e) {
                return ModelState.unreadable(e.getMessage() != null ? e.getMessage() : e.toString());
            }
        };
    }
}
