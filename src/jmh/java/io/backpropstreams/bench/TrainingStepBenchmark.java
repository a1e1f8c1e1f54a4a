package io.backpropstreams.bench;

import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Initializers;
import io.backpropstreams.nn.Lecture;
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

/**
 * Throughput of one training step ({@link Network#step}: forward, loss, backpropagation, SGD update)
 * on a single thread, in steps per second.
 *
 * <p>Networks are sigmoid throughout, squared error, simultaneous rule, plain SGD, Xavier-uniform
 * weights from seed 42. Each step takes the next sample of a {@link SamplePool}.
 *
 * <p>Build and run (the options override the defaults annotated below):
 * <pre>
 *   mvn -q -Pbench -DskipTests package &amp;&amp; java -jar target/benchmarks.jar -f 1 -wi 3 -i 5 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
public class TrainingStepBenchmark {

    static final long SEED = 42L;
    static final double LEARNING_RATE = 0.1;

    /** A network of the given shape and a pool of random samples. */
    @State(Scope.Thread)
    public static class Shaped {

        /** Neuron counts from input to output. */
        @Param({"2,2,2", "784,128,10"})
        public String shape;

        Network frozenBiases;
        Network trainedBiases;
        SamplePool samples;

        @Setup(Level.Trial)
        public void setUp() {
            List<Integer> layers = Arrays.stream(shape.split(",")).map(String::trim).map(Integer::valueOf).toList();
            NetworkSpec spec = NetworkSpec.of(layers, Activation.SIGMOID, LEARNING_RATE);
            double[] init = Initializers.xavier(spec, SEED);
            frozenBiases = new Network(spec, init);
            trainedBiases = new Network(spec.withTrainBiases(true), init);
            samples = new SamplePool(layers.get(0), layers.get(layers.size() - 1), SEED + 1);
        }
    }

    /** The lecture's network and its one sample, restarted from the lecture's weights each iteration. */
    @State(Scope.Thread)
    public static class LectureState {

        Network network;

        @Setup(Level.Iteration)
        public void setUp() {
            network = Lecture.network();
        }
    }

    /** One step with frozen biases (the lecture's setting). */
    @Benchmark
    public double stepFrozenBiases(Shaped s) {
        int k = s.samples.next();
        return s.frozenBiases.step(s.samples.inputs[k], s.samples.targets[k]);
    }

    /** One step with trained biases. */
    @Benchmark
    public double stepTrainedBiases(Shaped s) {
        int k = s.samples.next();
        return s.trainedBiases.step(s.samples.inputs[k], s.samples.targets[k]);
    }

    /** One step of the lecture network ([2,2,2], lecture weights, η = 0.5) on the lecture sample. */
    @Benchmark
    public double stepLecture(LectureState s) {
        return s.network.step(Lecture.INPUT, Lecture.TARGET);
    }
}
