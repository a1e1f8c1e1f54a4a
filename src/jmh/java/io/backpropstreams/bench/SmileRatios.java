package io.backpropstreams.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SmileComparisonBenchmark} and prints, per shape, this core's steps/s, Smile's, and
 * their ratio: of JMH's scores (means), and of each side's best iteration. JMH runs every shape of
 * one side before the other, minutes apart. On this shared machine the core's [2,2,2] step moves
 * between about 100 and 140 ns for tens of seconds at a time, in one JVM, with the same compiled
 * code and the same addresses; and Smile's [784,128,10] runs at about 3,700 or 9,000 steps/s
 * depending on the fork. The best iterations compare the two sides at their best. JMH's own
 * options pass through (for example {@code -f 3 -wi 3 -i 5 -w 2s -r 2s}).
 * <pre>
 *   java -cp target/benchmarks.jar io.backpropstreams.bench.SmileRatios -f 3 -wi 3 -i 5 -w 2s -r 2s
 * </pre>
 */
public final class SmileRatios {

    private SmileRatios() {
    }

    public static void main(String[] args) throws Exception {
        Options options = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(SmileComparisonBenchmark.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> byShape = new TreeMap<>((a, b) -> Integer.compare(size(a), size(b)));
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            String side = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            int k = side.equals("core") ? 0 : 1;
            double[] scores = byShape.computeIfAbsent(shape, key -> new double[4]);
            scores[k] = r.getPrimaryResult().getScore();
            scores[2 + k] = bestIteration(r);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-14s %16s %16s %8s   %16s %16s %8s%n", "shape", "this core /s", "Smile 3.1.1 /s", "ratio",
                "core, best", "Smile, best", "ratio");
        byShape.forEach((shape, s) -> System.out.printf(Locale.ROOT, "%-14s %,16.0f %,16.0f %7.1fx   %,16.0f %,16.0f %7.1fx%n",
                "[" + shape + "]", s[0], s[1], s[0] / s[1], s[2], s[3], s[2] / s[3]));
        System.out.println("The first three columns are JMH's scores (the mean of every measured iteration of every fork);"
                + " the last three each side's best single iteration, so that neither a slow phase of this shared machine nor a slow fork"
                + " counts against either side.");
    }

    /** The highest score of any measured iteration of any fork. */
    private static double bestIteration(RunResult r) {
        double best = 0;
        for (BenchmarkResult fork : r.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                best = Math.max(best, iteration.getPrimaryResult().getScore());
            }
        }
        return best;
    }

    /** The number of weights of a shape such as "784,128,10", to order the rows from small to big. */
    private static int size(String shape) {
        String[] n = shape.split(",");
        int w = 0;
        for (int l = 1; l < n.length; l++) {
            w += Integer.parseInt(n[l - 1].trim()) * Integer.parseInt(n[l].trim());
        }
        return w;
    }
}
