package io.backpropstreams.nn;

import java.util.List;

/**
 * The network of the step-by-step backpropagation lecture (Matt Mazur, 2015): 2-2-2 sigmoid,
 * squared error, η = 0.5, one training sample.
 *
 * <p>Weight naming: w1,w2 connect i1,i2 to h1; w3,w4 to h2; w5,w6 connect h1,h2 to o1; w7,w8 to
 * o2. Because each layer is stored row-major (one row per receiving neuron), the flat parameter
 * vector is {@code [w1,w2,w3,w4, b1,b1, w5,w6,w7,w8, b2,b2]}.
 */
public final class Lecture {

    /** The lecture's one training input. */
    public static final double[] INPUT = {0.05, 0.10};
    /** The lecture's target. */
    public static final double[] TARGET = {0.01, 0.99};
    /** w1..w8 before training. */
    public static final double[] WEIGHTS = {0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55};
    /** The hidden-layer bias b1, shared by h1 and h2. */
    public static final double BIAS_HIDDEN = 0.35;
    /** The output-layer bias b2, shared by o1 and o2. */
    public static final double BIAS_OUTPUT = 0.60;
    /** η. */
    public static final double LEARNING_RATE = 0.5;
    /** The model id under which the trainer knows this network without a spec. */
    public static final String MODEL_ID = "lecture";

    private Lecture() {
    }

    /** The lecture's spec under the given rule, with biases frozen or trained. */
    public static NetworkSpec spec(UpdateRule rule, boolean trainBiases) {
        return NetworkSpec.of(List.of(2, 2, 2), Activation.SIGMOID, LEARNING_RATE)
                .withUpdateRule(rule).withTrainBiases(trainBiases);
    }

    /** The lecture's initial parameter vector in the core's layout. */
    public static double[] initialParameters() {
        return new double[] {
            WEIGHTS[0], WEIGHTS[1], WEIGHTS[2], WEIGHTS[3], BIAS_HIDDEN, BIAS_HIDDEN,
            WEIGHTS[4], WEIGHTS[5], WEIGHTS[6], WEIGHTS[7], BIAS_OUTPUT, BIAS_OUTPUT,
        };
    }

    /** The lecture's network as the lecture runs it: simultaneous rule, frozen biases. */
    public static Network network() {
        return new Network(spec(UpdateRule.SIMULTANEOUS, false), initialParameters());
    }

    /** A network with the lecture's initial weights under any spec of shape [2,2,2]. */
    public static Network network(NetworkSpec spec) {
        return new Network(spec, initialParameters());
    }

    /** w1..w8 of a lecture-shaped network: layer 1's weights, then layer 2's. */
    public static double[] w1ToW8(Network network) {
        double[] w = new double[8];
        System.arraycopy(network.weights(1), 0, w, 0, 4);
        System.arraycopy(network.weights(2), 0, w, 4, 4);
        return w;
    }
}
