package io.backpropstreams.nn;

import java.util.List;

/**
 * The shape and training settings of a dense feed-forward network.
 *
 * @param layers       neuron counts from input to output, e.g. {@code [2,2,2]}; at least two entries, all positive
 * @param activations  one activation per non-input layer ({@code layers.size() − 1} entries)
 * @param loss         the loss minimised
 * @param learningRate {@code η ≥ 0}
 * @param updateRule   simultaneous (true gradient) or sequential (the lecture's first code)
 * @param trainBiases  whether biases are updated; frozen biases keep their initial values, as in the lecture
 * @param optimizer    how a gradient moves the parameters (see {@link Optimizer})
 * @param momentum     {@code μ ∈ [0,1)}, used only by {@link Optimizer#MOMENTUM} and {@link Optimizer#NESTEROV}
 * @param settings     the optimizer's other constants, weight decay and gradient clipping
 * @param schedule     how the learning rate changes with the update count
 * @param standardizeInputs whether inputs are standardised online (see {@link InputStandardizer})
 */
public record NetworkSpec(
        List<Integer> layers,
        List<Activation> activations,
        Loss loss,
        double learningRate,
        UpdateRule updateRule,
        boolean trainBiases,
        Optimizer optimizer,
        double momentum,
        OptimizerSettings settings,
        Schedule schedule,
        boolean standardizeInputs) {

    /** Most layers a network may have, input and output included; deeper dense nets do not train by plain SGD anyway. */
    public static final int MAX_LAYERS = 64;

    /**
     * Most parameters (weights and biases) a network may have: its weights record and its stored
     * state (parameters plus momentum) must fit in one Kafka record (64 MiB), and a spec must not
     * be able to exhaust the trainer's heap.
     */
    public static final long MAX_PARAMETERS = 2_000_000;

    /**
     * Most bytes a model's stored state may take: parameters, optimizer state vectors, input
     * statistics and what the trainer keeps beside them must fit in one Kafka record (64 MiB), with
     * room for the record's own overhead.
     */
    public static final long MAX_STATE_BYTES = 60L * 1024 * 1024;

    /** Validates every field; the message names the offending value. */
    public NetworkSpec {
        if (layers == null || layers.size() < 2) {
            throw new IllegalArgumentException("a network needs at least 2 layers (input and output), got "
                    + (layers == null ? "none" : layers.size()));
        }
        if (layers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("a network may have at most " + MAX_LAYERS + " layers, got " + layers.size());
        }
        layers = List.copyOf(layers);
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l) <= 0) {
                throw new IllegalArgumentException("layer " + l + " has " + layers.get(l) + " neurons; every layer needs at least 1");
            }
        }
        if (activations == null || activations.size() != layers.size() - 1) {
            throw new IllegalArgumentException("a network with " + layers.size() + " layers needs "
                    + (layers.size() - 1) + " activations, got " + (activations == null ? 0 : activations.size()));
        }
        activations = List.copyOf(activations);
        if (loss == null || updateRule == null || optimizer == null) {
            throw new IllegalArgumentException("loss, update rule and optimizer must be set");
        }
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("learning rate must be a finite number ≥ 0, got " + learningRate);
        }
        if (!Double.isFinite(momentum) || momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (settings == null || schedule == null) {
            throw new IllegalArgumentException("optimizer settings and schedule must be set");
        }
        Activation last = activations.get(activations.size() - 1);
        if (loss == Loss.CROSS_ENTROPY && last != Activation.SIGMOID) {
            throw new IllegalArgumentException("cross-entropy needs a sigmoid output layer, got " + last.id());
        }
        for (int l = 0; l < activations.size() - 1; l++) {
            if (activations.get(l) == Activation.SOFTMAX) {
                throw new IllegalArgumentException("softmax may only be the output layer's activation, but layer " + (l + 1)
                        + " of " + activations.size() + " has it");
            }
        }
        if (last == Activation.SOFTMAX && loss != Loss.CATEGORICAL_CROSS_ENTROPY) {
            throw new IllegalArgumentException("a softmax output needs \"loss\": \"categorical-cross-entropy\", got " + loss.id());
        }
        if (loss == Loss.CATEGORICAL_CROSS_ENTROPY && last != Activation.SOFTMAX) {
            throw new IllegalArgumentException("categorical-cross-entropy needs a softmax output layer, got " + last.id());
        }
        if (last == Activation.SOFTMAX && layers.get(layers.size() - 1) < 2) {
            throw new IllegalArgumentException("a softmax output needs at least 2 classes, got " + layers.get(layers.size() - 1));
        }
        // a compact constructor's fields are not assigned yet: the static forms take the parameters
        if (updateRule == UpdateRule.SEQUENTIAL && usesGradientBuffer(optimizer, settings)) {
            throw new IllegalArgumentException("the sequential rule (the lecture's first code) works with sgd and momentum only,"
                    + " without weightDecay or clipNorm; " + optimizer.id()
                    + (settings.transformsGradient() ? " with weightDecay " + settings.weightDecay() + " and clipNorm " + settings.clipNorm() : "")
                    + " needs updateRule simultaneous");
        }
        long params = parameterCount(layers);
        if (params <= MAX_PARAMETERS) {
            long bytes = stateBytes(layers, optimizer, standardizeInputs);
            if (bytes > MAX_STATE_BYTES) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "layers %s with %s%s keep %,d bytes of state;"
                        + " a model may keep at most %,d so that it fits in one Kafka record", layers, optimizer.id(),
                        standardizeInputs ? " and standardizeInputs" : "", bytes, MAX_STATE_BYTES));
            }
        }
        if (params > MAX_PARAMETERS) {
            throw new IllegalArgumentException("layers " + layers + " make " + (params == Long.MAX_VALUE ? "more than 2^63"
                    : String.format(java.util.Locale.ROOT, "%,d", params))
                    + " parameters; a model may have at most " + String.format(java.util.Locale.ROOT, "%,d", MAX_PARAMETERS)
                    + " so that its weights fit in one Kafka record");
        }
    }

    /**
     * Weights and biases of a dense net of these (positive) layer sizes, {@code Σ n_l·(n_{l−1}+1)},
     * in checked long arithmetic: {@link Long#MAX_VALUE} if it overflows, so that no shape, however
     * large its entries, can slip under a limit by wrapping around.
     */
    public static long parameterCount(List<Integer> layers) {
        long params = 0;
        try {
            for (int l = 1; l < layers.size(); l++) {
                params = Math.addExact(params, Math.multiplyExact((long) layers.get(l), (long) layers.get(l - 1) + 1));
            }
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
        return params;
    }

    /**
     * A spec with the optimizer's default settings, a constant rate and raw inputs: the settings a
     * spec had before Adam, schedules and standardisation.
     */
    public NetworkSpec(List<Integer> layers, List<Activation> activations, Loss loss, double learningRate, UpdateRule updateRule,
                       boolean trainBiases, Optimizer optimizer, double momentum) {
        this(layers, activations, loss, learningRate, updateRule, trainBiases, optimizer, momentum,
                OptimizerSettings.defaults(optimizer == null ? Optimizer.SGD : optimizer), Schedule.CONSTANT, false);
    }

    /** A spec with one activation on every layer, squared error, simultaneous rule, frozen biases and plain SGD. */
    public static NetworkSpec of(List<Integer> layers, Activation activation, double learningRate) {
        return new NetworkSpec(layers, java.util.Collections.nCopies(Math.max(0, layers.size() - 1), activation),
                Loss.SQUARED_ERROR, learningRate, UpdateRule.SIMULTANEOUS, false, Optimizer.SGD, 0.0);
    }

    /**
     * True when a step runs through the general optimizer path ({@code Network}'s gradient buffer):
     * every optimizer but plain SGD and momentum, and those two with weight decay or clipping.
     */
    boolean usesGradientBuffer() {
        return usesGradientBuffer(optimizer, settings);
    }

    private static boolean usesGradientBuffer(Optimizer optimizer, OptimizerSettings settings) {
        return (optimizer != Optimizer.SGD && optimizer != Optimizer.MOMENTUM) || settings.transformsGradient();
    }

    /**
     * Bytes the network's state takes beyond its spec: the parameters, the optimizer's state
     * vectors and, with {@code standardizeInputs}, a mean and a sum of squares per input. Only for a
     * shape within {@link #MAX_PARAMETERS}, where it cannot overflow.
     */
    public long stateBytes() {
        return stateBytes(layers, optimizer, standardizeInputs);
    }

    private static long stateBytes(List<Integer> layers, Optimizer optimizer, boolean standardizeInputs) {
        return 8L * parameterCount(layers) * (1 + optimizer.stateVectors()) + (standardizeInputs ? 16L * layers.get(0) : 0);
    }

    /** True for a softmax classifier: its outputs are class probabilities. */
    public boolean isClassifier() {
        return activations.get(activations.size() - 1) == Activation.SOFTMAX;
    }

    /** Number of neurons in the input layer. */
    public int inputSize() {
        return layers.get(0);
    }

    /** Number of neurons in the output layer. */
    public int outputSize() {
        return layers.get(layers.size() - 1);
    }

    /** Number of weight layers ({@code layers.size() − 1}). */
    public int depth() {
        return layers.size() - 1;
    }

    /** Copy with another learning rate. */
    public NetworkSpec withLearningRate(double eta) {
        return new NetworkSpec(layers, activations, loss, eta, updateRule, trainBiases, optimizer, momentum, settings, schedule, standardizeInputs);
    }

    /** Copy with another update rule. */
    public NetworkSpec withUpdateRule(UpdateRule rule) {
        return new NetworkSpec(layers, activations, loss, learningRate, rule, trainBiases, optimizer, momentum, settings, schedule, standardizeInputs);
    }

    /** Copy with biases trained or frozen. */
    public NetworkSpec withTrainBiases(boolean train) {
        return new NetworkSpec(layers, activations, loss, learningRate, updateRule, train, optimizer, momentum, settings, schedule, standardizeInputs);
    }

    /** Copy with another loss. */
    public NetworkSpec withLoss(Loss l) {
        return new NetworkSpec(layers, activations, l, learningRate, updateRule, trainBiases, optimizer, momentum, settings, schedule, standardizeInputs);
    }

    /** Copy with another optimizer and momentum, with that optimizer's default settings. */
    public NetworkSpec withOptimizer(Optimizer o, double mu) {
        return new NetworkSpec(layers, activations, loss, learningRate, updateRule, trainBiases, o, mu,
                OptimizerSettings.defaults(o), schedule, standardizeInputs);
    }

    /** Copy with other optimizer settings. */
    public NetworkSpec withSettings(OptimizerSettings s) {
        return new NetworkSpec(layers, activations, loss, learningRate, updateRule, trainBiases, optimizer, momentum, s, schedule, standardizeInputs);
    }

    /** Copy with another learning-rate schedule. */
    public NetworkSpec withSchedule(Schedule s) {
        return new NetworkSpec(layers, activations, loss, learningRate, updateRule, trainBiases, optimizer, momentum, settings, s, standardizeInputs);
    }

    /** Copy with input standardisation on or off. */
    public NetworkSpec withStandardizeInputs(boolean on) {
        return new NetworkSpec(layers, activations, loss, learningRate, updateRule, trainBiases, optimizer, momentum, settings, schedule, on);
    }
}
