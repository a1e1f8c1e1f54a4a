package io.backpropstreams.nn.drift;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * A change detector over a stream of numbers, here a model's prequential loss (the loss of each
 * sample computed before the update on it): one {@link #update} per sample, {@code true} when the
 * stream's mean changed at this value.
 *
 * <p>After a detection the detector resets itself (it forgets everything it learned about the old
 * mean) so that the next change is measured against the new regime, as River's detectors do.
 * {@link #statistic()} keeps the value that triggered the detection until the next update.
 *
 * <p>The whole state, parameters included, serialises to bytes with doubles as their raw IEEE-754
 * bits: a detector {@link #decode decoded} from {@link #encode}'s bytes gives bit for bit the same
 * outputs and statistics as the original on any continuation. This is what lets the detector live
 * in the model store and keep exactly-once semantics across crashes. The arithmetic is plain
 * {@code double} arithmetic, which Java 17 defines exactly on every platform, and {@code StrictMath}
 * where a logarithm is needed.
 *
 * <p>Values must be finite: a single NaN or infinity would poison every later mean, so
 * {@link #update} refuses it and leaves the state unchanged.
 *
 * <p>Format: one tag byte ({@code 'P'} Page-Hinkley, {@code 'A'} ADWIN), a version byte, then
 * the detector's own fields (see {@link PageHinkley} and {@link Adwin}); big-endian.
 */
public sealed interface DriftDetector permits PageHinkley, Adwin {

    /**
     * Feeds one value.
     *
     * @return whether a change is detected at this value (the detector has then reset itself)
     * @throws IllegalArgumentException if {@code value} is not finite (nothing changes then)
     */
    boolean update(double value);

    /**
     * The test statistic computed at the last update, in the units of the values: what crossed
     * the detector's bound when {@link #update} returned {@code true}. 0 before the first update.
     */
    double statistic();

    /** Values fed since the detector was created, across resets. */
    long seen();

    /** The detector's name in specs: {@code page-hinkley} or {@code adwin}. */
    String id();

    /** The parameters this detector was built with. */
    DriftSettings settings();

    /** A detector in the same state that evolves independently of this one. */
    DriftDetector copy();

    /** Number of bytes {@link #encode(ByteBuffer)} writes; it changes as the state grows. */
    int encodedSize();

    /** Writes the whole state at {@code buf}'s position, advancing it by {@link #encodedSize()}. */
    void encode(ByteBuffer buf);

    /** The whole state as bytes. */
    default byte[] encode() {
        ByteBuffer buf = ByteBuffer.allocate(encodedSize());
        encode(buf);
        return buf.array();
    }

    /**
     * Rebuilds a detector from {@link #encode}'s bytes at {@code buf}'s position, advancing it past
     * them; bytes after them are left for the caller, who may frame the state in a larger record.
     *
     * @throws IllegalArgumentException if the bytes are not a valid encoding
     */
    static DriftDetector decode(ByteBuffer buf) {
        int start = buf.position();
        try {
            byte tag = buf.get();
            byte version = buf.get();
            return switch (tag) {
                case PageHinkley.TAG -> {
                    checkVersion(version, PageHinkley.VERSION, PageHinkley.ID);
                    yield PageHinkley.decodeBody(buf);
                }
                case Adwin.TAG -> {
                    checkVersion(version, Adwin.VERSION, Adwin.ID);
                    yield Adwin.decodeBody(buf);
                }
                default -> throw new IllegalArgumentException("not a drift detector state: unknown tag " + tag);
            };
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("drift detector state is truncated (" + (buf.limit() - start) + " bytes)", e);
        }
    }

    /** Same as {@link #decode(ByteBuffer)} over a whole array; trailing bytes are an error here. */
    static DriftDetector decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        DriftDetector detector = decode(buf);
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException("drift detector state has " + buf.remaining() + " trailing bytes");
        }
        return detector;
    }

    private static void checkVersion(byte version, byte expected, String id) {
        if (version != expected) {
            throw new IllegalArgumentException("unsupported " + id + " state version " + version + ", expected " + expected);
        }
    }
}
