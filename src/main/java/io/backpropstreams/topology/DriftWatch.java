package io.backpropstreams.topology;

import io.backpropstreams.avro.DriftSpecs;
import io.backpropstreams.nn.drift.DriftDetector;
import io.backpropstreams.schema.DriftSpec;

import java.nio.ByteBuffer;

/**
 * A model's drift watch: the detector fed with every prequential loss, what a detection does to
 * the model ({@link DriftSpecs.OnDrift}), and, for {@code reinitialize}, the parameters the model
 * starts over from. Part of the model's stored state, so that detection is exactly-once too.
 *
 * <p>Bytes, big-endian: {@code onDrift:u8  detector (DriftDetector's encoding)  nInitial:i32
 * initial:f64[nInitial]} ({@code nInitial} is 0 unless {@code onDrift} is {@code reinitialize}).
 */
public final class DriftWatch {

    private final DriftDetector detector;
    private final DriftSpecs.OnDrift onDrift;
    private final double[] initialParameters;

    private DriftWatch(DriftDetector detector, DriftSpecs.OnDrift onDrift, double[] initialParameters) {
        this.detector = detector;
        this.onDrift = onDrift;
        this.initialParameters = initialParameters;
    }

    /** A new watch for a model created from a spec whose initial parameters are {@code initial}; null for no drift spec. */
    public static DriftWatch of(DriftSpec spec, double[] initial) {
        if (spec == null) {
            return null;
        }
        DriftSpecs.OnDrift action = DriftSpecs.OnDrift.parse(spec.getOnDrift());
        return new DriftWatch(DriftSpecs.detectorSettings(spec).newDetector(), action,
                action == DriftSpecs.OnDrift.REINITIALIZE ? initial.clone() : new double[0]);
    }

    /** Feeds one prequential loss; true if it completes a detection (the detector has then reset itself). */
    public boolean observe(double loss) {
        return detector.update(loss);
    }

    /** The detector, for its id and statistic. */
    public DriftDetector detector() {
        return detector;
    }

    /** What a detection does to the model. */
    public DriftSpecs.OnDrift onDrift() {
        return onDrift;
    }

    /** The parameters {@code reinitialize} starts over from (a copy; empty for the other actions). */
    public double[] initialParameters() {
        return initialParameters.clone();
    }

    /**
     * Checks the initial parameters against a network of {@code parameters} parameters: all of them,
     * finite, for {@code reinitialize}; none otherwise.
     *
     * @throws IllegalArgumentException naming the mismatch
     */
    void requireFits(int parameters) {
        int expected = onDrift == DriftSpecs.OnDrift.REINITIALIZE ? parameters : 0;
        if (initialParameters.length != expected) {
            throw new IllegalArgumentException("drift watch (" + onDrift.id() + ") holds " + initialParameters.length
                    + " initial parameters, the network has " + parameters);
        }
        for (int k = 0; k < initialParameters.length; k++) {
            if (!Double.isFinite(initialParameters[k])) {
                throw new IllegalArgumentException("drift watch initial parameter " + k + " is " + initialParameters[k]);
            }
        }
    }

    /** An independent copy. */
    public DriftWatch copy() {
        return new DriftWatch(detector.copy(), onDrift, initialParameters);
    }

    int encodedSize() {
        return 1 + detector.encodedSize() + 4 + 8 * initialParameters.length;
    }

    void encode(ByteBuffer buf) {
        buf.put((byte) onDrift.ordinal());
        detector.encode(buf);
        buf.putInt(initialParameters.length);
        buf.asDoubleBuffer().put(initialParameters);
        buf.position(buf.position() + 8 * initialParameters.length);
    }

    static DriftWatch decode(ByteBuffer buf) {
        int action = buf.get();
        if (action < 0 || action >= DriftSpecs.OnDrift.values().length) {
            throw new IllegalArgumentException("drift watch has unknown onDrift " + action);
        }
        DriftDetector detector = DriftDetector.decode(buf);
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining() / 8) {
            throw new IllegalArgumentException("drift watch claims " + n + " initial parameters but holds " + buf.remaining() + " bytes");
        }
        double[] initial = new double[n];
        buf.asDoubleBuffer().get(initial);
        buf.position(buf.position() + 8 * n);
        return new DriftWatch(detector, DriftSpecs.OnDrift.values()[action], initial);
    }
}
