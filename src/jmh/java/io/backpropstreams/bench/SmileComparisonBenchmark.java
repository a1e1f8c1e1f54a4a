package io.backpropstreams.bench;

import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Initializers;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import java.util.Arrays;
import java.util.List;
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
 * layers, trained biases, learning rate 0.1, no momentum, no weight decay, on the same
 * {@link SamplePool} as {@link TrainingStepBenchmark} (Smile takes the class index, which it turns
 * into the same one-hot target).
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

    static final long SEED = 42L;
    static final double LEARNING_RATE = 0.1;

    /** Both learners of one shape, and the shared sample pool. */
    @State(Scope.Thread)
    public static class Learners {

        @Param({"2,2,2", "64,32,10", "784,128,10"})
        public String shape;

        Network core;
        MLP smile;
        SamplePool samples;

        @Setup(Level.Trial)
        public void setUp() {
            List<Integer> layers = Arrays.stream(shape.split(",")).map(String::trim).map(Integer::valueOf).toList();
            if (layers.size() != 3) {
                throw new IllegalArgumentException("one hidden layer, got " + shape);
            }
            NetworkSpec spec = NetworkSpec.of(layers, Activation.SIGMOID, LEARNING_RATE).withTrainBiases(true);
            core = new Network(spec, Initializers.xavier(spec, SEED));
            smile = new MLP(Layer.input(layers.get(0)), Layer.sigmoid(layers.get(1)), Layer.mse(layers.get(2), OutputFunction.SIGMOID));
            smile.setLearningRate(TimeFunction.constant(LEARNING_RATE));
            smile.setMomentum(TimeFunction.constant(0.0));
            samples = new SamplePool(layers.get(0), layers.get(2), SEED + 1);
        }
    }

    /** One step of this core. */
    @Benchmark
    public double core(Learners s) {
        int k = s.samples.next();
        return s.core.step(s.samples.inputs[k], s.samples.targets[k]);
    }

    /** One step of Smile's online MLP. */
    @Benchmark
    public int smile(Learners s) {
        int k = s.samples.next();
        s.smile.update(s.samples.inputs[k], s.samples.classes[k]);
        return k;
    }
}
