package io.backpropstreams.topology;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.nn.Network;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stream whose concept switches abruptly: inputs from one fixed distribution (uniform on
 * [−1, 1]²), class 0 when {@code x₀ + x₁ > 0} and class 1 otherwise, one-hot, until the switch,
 * and the opposite class after it. A drift detector should fire soon after the switch and seldom
 * before it.
 */
public final class ConceptFlip {

    /** The step at which the targets flip: samples 1..SWITCH are the first concept. */
    public static final int SWITCH = 5_000;
    /** Samples in all. */
    public static final int SAMPLES = 10_000;

    private ConceptFlip() {
    }

    /** A softmax classifier under Adam that watches its loss with {@code detector} and does {@code onDrift}. */
    public static String spec(String detector, String onDrift, long seed) {
        return "{\"layers\":[2,8,2],\"activations\":[\"tanh\",\"softmax\"],\"loss\":\"categorical-cross-entropy\","
                + "\"learningRate\":0.01,\"optimizer\":\"adam\",\"trainBiases\":true,\"seed\":" + seed
                + ",\"drift\":{\"detector\":\"" + detector + "\",\"onDrift\":\"" + onDrift + "\"}}";
    }

    /** The inputs and targets of the stream, from a seed: {@code [k][0]} is sample k+1's input, {@code [k][1]} its target. */
    public static List<double[][]> samples(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<double[][]> out = new ArrayList<>(SAMPLES);
        for (int s = 1; s <= SAMPLES; s++) {
            double x0 = r.nextDouble(-1, 1);
            double x1 = r.nextDouble(-1, 1);
            boolean first = x0 + x1 > 0;
            if (s > SWITCH) {
                first = !first;
            }
            out.add(new double[][] {{x0, x1}, first ? new double[] {1, 0} : new double[] {0, 1}});
        }
        return out;
    }

    /** What the trainer should end with: the in-process core and drift watch replayed over the samples; returns the detection steps. */
    public static List<Long> replay(String spec, List<double[][]> samples, ModelState[] end) {
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec));
        ModelState state = new ModelState(new Network(d.spec(), d.parameters()), d.publishEvery(), Double.NaN)
                .withDrift(DriftWatch.of(d.drift(), d.parameters()));
        List<Long> detections = new ArrayList<>();
        for (double[][] s : samples) {
            double loss = state.network().step(s[0], s[1]);
            if (state.drift().observe(loss)) {
                detections.add(state.network().step());
                state.applyDrift();
            }
        }
        end[0] = state;
        return detections;
    }
}
