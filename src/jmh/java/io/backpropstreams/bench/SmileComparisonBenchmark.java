package io.backpropstreams.bench;

import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Initializers;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import smile.base.mlp.Layer;
import smile.base.mlp.OutputFunction;
import smile.classification.MLP;
import smile.math.TimeFunction;

/**
 * This core against Smile 3.1.1's {@code MLP.update}, the same work on both sides: one online SGD
 * step on one sample (forward, squared error, backpropagation, update), sigmoid hidden and output
 * layers, trained biases, learning rate 0.1, no momentum, no weight decay, on the same pool of
 * seeded samples (inputs uniform in [0,1), one-hot targets; Smile takes the class index, which it
 * turns into the same one-hot target).
 *
 * <p>The ratio per shape is {@code core / smile} of the two scores. Smile is a bench-only
 * dependency (GPL-3.0): it is in the {@code bench} profile's class path only, never in the jar.
 * <pre>
 *   mvn -q -Pbench -DskipTests package &amp;&amp; java -jar target/benchmarks.jar SmileComparison -f 1 -wi 3 -i 5 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
public class SmileComparisonBenchmark {

    static final int POOL = 256;
    static final long SEED = 42L;
    static final double LEARNING_RATE = 0.1;

    /** Both learners of one shape, and the shared sample pool. */
    @State(Scope.Thread)
    public static class Learners {

        @Param({"2,2,2", "64,32,10", "784,128,10"})
        public String shape;

        Network core;
        MLP smile;
        double[][] inputs;
        double[][] targets;
        int[] classes;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            List<Integer> layers = Arrays.stream(shape.split(",")).map(String::trim).map(Integer::valueOf).toList();
            if (layers.size() != 3) {
                throw new IllegalArgumentException("one hidden layer, got " + shape);
            }
            NetworkSpec spec = NetworkSpec.of(layers, Activation.SIGMOID, LEARNING_RATE).withTrainBiases(true);
            core = new Network(spec, Initializers.xavier(spec, SEED));
            int nIn = layers.get(0);
            int nHidden = layers.get(1);
            int nOut = layers.get(2);
            smile = new MLP(Layer.input(nIn), Layer.sigmoid(nHidden), Layer.mse(nOut, OutputFunction.SIGMOID));
            smile.setLearningRate(TimeFunction.constant(LEARNING_RATE));
            smile.setMomentum(TimeFunction.constant(0.0));
            SplittableRandom random = new SplittableRandom(SEED + 1);
            inputs = new double[POOL][nIn];
            targets = new double[POOL][nOut];
            classes = new int[POOL];
            for (int k = 0; k < POOL; k++) {
                for (int i = 0; i < nIn; i++) {
                    inputs[k][i] = random.nextDouble();
                }
                classes[k] = random.nextInt(nOut);
                targets[k][classes[k]] = 1.0;
            }
        }

        int nextSample() {
            int k = next;
            next = (k + 1) & (POOL - 1);
            return k;
        }
    }

    /** One step of this core. */
    @Benchmark
    public double core(Learners s) {
        int k = s.nextSample();
        return s.core.step(s.inputs[k], s.targets[k]);
    }

    /** One step of Smile's online MLP. */
    @Benchmark
    public int smile(Learners s) {
        int k = s.nextSample();
        s.smile.update(s.inputs[k], s.classes[k]);
        return k;
    }
}
