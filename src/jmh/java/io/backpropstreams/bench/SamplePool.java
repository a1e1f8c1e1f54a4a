package io.backpropstreams.bench;

import java.util.SplittableRandom;

/**
 * The samples the core benchmarks cycle through: {@value #SIZE} seeded random inputs (uniform in
 * [0,1)) with one-hot targets, so that neither data nor branches are constant. The class of each
 * target is kept too, for learners that take a class index instead of a target vector.
 */
final class SamplePool {

    /** Number of distinct samples; a power of two. */
    static final int SIZE = 256;

    final double[][] inputs;
    final double[][] targets;
    final int[] classes;
    private int next;

    SamplePool(int nIn, int nOut, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        inputs = new double[SIZE][nIn];
        targets = new double[SIZE][nOut];
        classes = new int[SIZE];
        for (int k = 0; k < SIZE; k++) {
            for (int i = 0; i < nIn; i++) {
                inputs[k][i] = random.nextDouble();
            }
            classes[k] = random.nextInt(nOut);
            targets[k][classes[k]] = 1.0;
        }
    }

    /** The index of the next sample, cycling through the pool. */
    int next() {
        int k = next;
        next = (k + 1) & (SIZE - 1);
        return k;
    }
}
