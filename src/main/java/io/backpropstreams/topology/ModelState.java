package io.backpropstreams.topology;

import io.backpropstreams.nn.Network;

/**
 * What the model store holds per model id: the network (spec, flat parameters, step count,
 * optimizer state), how often it publishes its weights, the exponential moving average of
 * its prequential loss, and its prequential accuracy on classification samples.
 *
 * <p>The EMA is {@code ema₁ = loss₁}, {@code ema_k = ema_{k−1} + α·(loss_k − ema_{k−1})} with
 * {@code α = }{@value #EMA_ALPHA}: roughly the mean loss of the last hundred samples.
 *
 * <p>Accuracy counts only samples with a one-hot target
 * ({@link io.backpropstreams.nn.Classification}): how many were classified, how many of them
 * correctly (argmax of the outputs before the update), and an EMA of the 0/1 verdicts with the
 * same α, seeded with the first verdict. The counts live here, in the store, so that they are
 * committed with the steps they count (exactly once) and survive restarts.
 */
public final class ModelState {

    /** Smoothing factor of the loss EMA. */
    public static final double EMA_ALPHA = 0.01;

    private Network network;
    private final int publishEvery;
    /** The drift watch over the prequential loss, or null for a model without one. */
    private DriftWatch drift;
    private final String unreadable;
    private double lossEma;
    private long classified;
    private long correct;
    private double accuracyEma;

    /**
     * A state that has classified nothing yet.
     *
     * @param lossEma the EMA so far, or NaN before the first sample
     */
    public ModelState(Network network, int publishEvery, double lossEma) {
        this(network, publishEvery, lossEma, 0, 0, Double.NaN);
    }

    /**
     * @param lossEma     the loss EMA so far, or NaN before the first sample
     * @param classified  one-hot samples trained on so far
     * @param correct     how many of them were classified correctly
     * @param accuracyEma the EMA of their verdicts, NaN if and only if {@code classified} is 0
     */
    public ModelState(Network network, int publishEvery, double lossEma, long classified, long correct, double accuracyEma) {
        if (publishEvery < 1) {
            throw new IllegalArgumentException("publishEvery must be at least 1, got " + publishEvery);
        }
        if (classified < 0 || correct < 0 || correct > classified) {
            throw new IllegalArgumentException("need 0 <= correct <= classified, got correct " + correct + " of " + classified);
        }
        if ((classified == 0) != Double.isNaN(accuracyEma)) {
            throw new IllegalArgumentException("accuracy EMA " + accuracyEma + " does not fit " + classified + " classified samples");
        }
        this.network = network;
        this.publishEvery = publishEvery;
        this.lossEma = lossEma;
        this.classified = classified;
        this.correct = correct;
        this.accuracyEma = accuracyEma;
        this.unreadable = null;
    }

    private ModelState(String unreadable) {
        this.network = null;
        this.publishEvery = 1;
        this.lossEma = Double.NaN;
        this.accuracyEma = Double.NaN;
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

    /**
     * One step of the EMA: {@code value} if {@code ema} is NaN (the first value seeds it), else
     * {@code ema + α·(value − ema)}. Public so that a reader recomputing an EMA from the topics
     * (the report's accuracy EMA) gets the trainer's figures bit for bit.
     */
    public static double nextEma(double ema, double value) {
        return Double.isNaN(ema) ? value : ema + EMA_ALPHA * (value - ema);
    }

    /** Folds one prequential loss into the EMA and returns the new EMA. */
    public double recordLoss(double loss) {
        lossEma = nextEma(lossEma, loss);
        return lossEma;
    }

    /**
     * Counts one classification sample, {@code correct} or not, and folds its verdict (1 or 0)
     * into the accuracy EMA; returns the new EMA.
     */
    public double recordClassification(boolean correct) {
        classified++;
        if (correct) {
            this.correct++;
        }
        accuracyEma = nextEma(accuracyEma, correct ? 1.0 : 0.0);
        return accuracyEma;
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

    /** Samples with a one-hot target trained on since the model was created or reset. */
    public long classified() {
        return classified;
    }

    /** How many of the {@link #classified()} samples the model classified correctly before learning from them. */
    public long correct() {
        return correct;
    }

    /** Prequential accuracy, {@code correct / classified}; NaN before the first classification sample. */
    public double accuracy() {
        return classified == 0 ? Double.NaN : (double) correct / classified;
    }

    /** The EMA of the 0/1 verdicts; NaN before the first classification sample. */
    public double accuracyEma() {
        return accuracyEma;
    }

    /** The model's drift watch, or null when its spec has none. */
    public DriftWatch drift() {
        return drift;
    }

    /** Gives the model a drift watch (at creation, or when restored); returns this. */
    public ModelState withDrift(DriftWatch watch) {
        this.drift = watch;
        return this;
    }

    /**
     * Does what the drift watch asks after a detection: zero the optimizer's state and restart its
     * schedule, or start the parameters over from the spec's initial ones with a fresh optimizer
     * (the step count, the input statistics and the EMAs go on).
     */
    public void applyDrift() {
        switch (drift.onDrift()) {
            case RESET_OPTIMIZER -> network.resetOptimizer();
            case REINITIALIZE -> network = new Network(network.spec(), drift.initialParameters(), network.step(), 0L, null,
                    network.standardizer());
            default -> {
            }
        }
    }

    /** True if the step just taken is one whose weights get published. */
    public boolean publishesAtCurrentStep() {
        return network.step() % publishEvery == 0;
    }
}
