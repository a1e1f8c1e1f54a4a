package io.backpropstreams.topology;

import io.backpropstreams.nn.Network;

/**
 * What the model store holds per model id: the network (spec, flat parameters, step count,
 * optimizer state), how often it publishes its weights, and the exponential moving average of
 * its prequential loss.
 *
 * <p>The EMA is {@code ema₁ = loss₁}, {@code ema_k = ema_{k−1} + α·(loss_k − ema_{k−1})} with
 * {@code α = }{@value #EMA_ALPHA}: roughly the mean loss of the last hundred samples.
 */
public final class ModelState {

    /** Smoothing factor of the loss EMA. */
    public static final double EMA_ALPHA = 0.01;

    private final Network network;
    private final int publishEvery;
    private final String unreadable;
    private double lossEma;

    /**
     * @param lossEma the EMA so far, or NaN before the first sample
     */
    public ModelState(Network network, int publishEvery, double lossEma) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException("publishEvery must be at least 1, got " + publishEvery);
        }
        this.network = network;
        this.publishEvery = publishEvery;
        this.lossEma = lossEma;
        this.unreadable = null;
    }

    private ModelState(String unreadable) {
        this.network = null;
        this.publishEvery = 1;
        this.lossEma = Double.NaN;
        this.unreadable = unreadable;
    }

    /**
     * Stands for stored bytes that do not decode (an older or damaged state), so that one such
     * model is unavailable with its reason, and every other model, listing and query still works.
     */
    public static ModelState unreadable(String reason) {
        return new ModelState(reason == null ? "unknown reason" : reason);
    }

    /** Why the stored state cannot be read, or null for a readable one (the only kind with a network). */
    public String unreadableReason() {
        return unreadable;
    }

    /** True if the state decoded; only then do {@link #network()} and the rest mean anything. */
    public boolean isReadable() {
        return unreadable == null;
    }

    /** Folds one prequential loss into the EMA and returns the new EMA. */
    public double recordLoss(double loss) {
        lossEma = Double.isNaN(lossEma) ? loss : lossEma + EMA_ALPHA * (loss - lossEma);
        return lossEma;
    }

    /** The live network; {@link Network#step} mutates it in place. */
    public Network network() {
        if (network == null) {
            throw new IllegalStateException("model state is unreadable: " + unreadable);
        }
        return network;
    }

    /** Publish a {@code WeightsUpdate} every this many steps. */
    public int publishEvery() {
        return publishEvery;
    }

    /** The loss EMA, NaN before the first sample. */
    public double lossEma() {
        return lossEma;
    }

    /** True if the step just taken is one whose weights get published. */
    public boolean publishesAtCurrentStep() {
        return network.step() % publishEvery == 0;
    }
}
