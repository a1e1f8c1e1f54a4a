package io.backpropstreams.nn.drift;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Per-sample prequential loss streams from a seed, with one abrupt concept change at
 * {@link #SWITCH} (or none), for the detectors' acceptance tests.
 */
final class LossStreams {

    /** The step at which the concept changes: values {@code 0 … SWITCH−1} are the stable regime. */
    static final int SWITCH = 5_000;

    private LossStreams() {
    }

    /**
     * A learned model's loss, then the loss of the same model facing flipped targets.
     * Before {@code change}: 0 for nine samples in ten, otherwise exponential with mean 0.5 (the
     * occasional miss costs a lot), so mean 0.05 and standard deviation ≈ 0.22. From it:
     * exponential with mean 0.75 (standard deviation 0.75).
     */
    static double[] synthetic(long seed, int length, int change) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] loss = new double[length];
        for (int t = 0; t < length; t++) {
            if (t < change) {
                loss[t] = random.nextDouble() < 0.1 ? exponential(random, 0.5) : 0.0;
            } else {
                loss[t] = exponential(random, 0.75);
            }
        }
        return loss;
    }

    /**
     * The prequential log-loss of an online logistic regression (SGD with learning rate
     * {@code eta}, weights from 0) on {@code x ~ N(0, I₄)} with labels drawn from
     * {@code P(y=1|x) = σ(w*·x)}, {@code |w*| = scale}: the labels are noisy, so even the best
     * model keeps a loss (≈ 0.37 on average for scale 3, with single samples of several units;
     * standard deviation ≈ 0.55). From {@code change} every label is flipped ({@code y → 1−y}),
     * the targets of a fixed input distribution: the learner's loss jumps and falls back as it
     * re-learns, within a few hundred samples.
     */
    static double[] logisticRegression(long seed, int length, double eta, double scale, int change) {
        int d = 4;
        SplittableRandom random = new SplittableRandom(seed);
        double[] truth = new double[d];
        double norm = 0.0;
        for (int i = 0; i < d; i++) {
            truth[i] = random.nextDouble(-1, 1);
            norm += truth[i] * truth[i];
        }
        for (int i = 0; i < d; i++) {
            truth[i] *= scale / Math.sqrt(norm);
        }
        double[] w = new double[d];
        double bias = 0.0;
        double[] x = new double[d];
        double[] loss = new double[length];
        for (int t = 0; t < length; t++) {
            double zTrue = 0.0;
            double z = bias;
            for (int i = 0; i < d; i++) {
                x[i] = gaussian(random);
                zTrue += truth[i] * x[i];
                z += w[i] * x[i];
            }
            int y = random.nextDouble() < sigmoid(zTrue) ? 1 : 0;
            if (t >= change) {
                y = 1 - y;
            }
            // −ln p(y|x), from z so that a confident miss is a large finite loss
            loss[t] = y == 1 ? softplus(-z) : softplus(z);
            double g = sigmoid(z) - y;
            for (int i = 0; i < d; i++) {
                w[i] -= eta * g * x[i];
            }
            bias -= eta * g;
        }
        return loss;
    }

    /**
     * The 2,000 values of the examples in River's {@code drift.PageHinkley} and {@code drift.ADWIN}
     * docstrings (Python's {@code random.Random(12345)}: 1,000 draws from {0, 1}, then 1,000 from
     * {4, …, 7}), kept as a test resource.
     */
    static double[] riverDocstring() {
        try (InputStream in = LossStreams.class.getResourceAsStream("river-docstring-stream.txt")) {
            if (in == null) {
                throw new IllegalStateException("test resource river-docstring-stream.txt is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(line -> !line.startsWith("#"))
                    .flatMap(line -> Arrays.stream(line.trim().split(" +")))
                    .mapToDouble(Double::parseDouble)
                    .toArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** {@code ln(1 + e^z)} without overflow. */
    private static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    private static double exponential(SplittableRandom random, double mean) {
        return -mean * Math.log(1.0 - random.nextDouble());
    }

    /** Box–Muller, one value per call: the stream's draws depend only on the seed. */
    private static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
