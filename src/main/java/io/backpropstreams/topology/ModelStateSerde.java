package io.backpropstreams.topology;

import io.backpropstreams.nn.NetworkCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;

/**
 * Bytes of a {@link ModelState} in the store and its changelog:
 * {@code 'M' version:u8 publishEvery:i32 lossEma:f64} followed by {@link NetworkCodec}'s
 * encoding of the network. Every double travels as its raw bits, so a restored model is
 * bit-identical to the one that was stored.
 */
public final class ModelStateSerde implements Serde<ModelState> {

    private static final int HEADER = 1 + 1 + 4 + 8;
    private static final byte VERSION = 1;

    /** Encodes {@code state}. */
    public static byte[] encode(ModelState state) {
        if (!state.isReadable()) {
            throw new SerializationException("an unreadable model state is never stored: " + state.unreadableReason());
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER + NetworkCodec.encodedSize(state.network()));
        buf.put((byte) 'M').put(VERSION).putInt(state.publishEvery()).putDouble(state.lossEma());
        NetworkCodec.encode(state.network(), buf);
        return buf.array();
    }

    /** Decodes {@link #encode}'s bytes. */
    public static ModelState decode(byte[] bytes) {
        if (bytes.length < HEADER || bytes[0] != 'M' || bytes[1] != VERSION) {
            throw new SerializationException("not a model state (" + bytes.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.position(2);
        int publishEvery = buf.getInt();
        double ema = buf.getDouble();
        try {
            return new ModelState(NetworkCodec.decode(buf.slice()), publishEvery, ema);
        } catch (IllegalArgumentException e) {
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
