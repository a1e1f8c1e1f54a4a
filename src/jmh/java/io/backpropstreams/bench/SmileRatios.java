package io.backpropstreams.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SmileComparisonBenchmark} and prints, per shape, this core's steps/s, Smile's, and
 * their ratio. JMH's own options pass through (for example {@code -f 1 -wi 3 -i 5 -w 2s -r 2s}).
 * <pre>
 *   java -cp target/benchmarks.jar io.backpropstreams.bench.SmileRatios -f 1 -wi 3 -i 5 -w 2s -r 2s
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
            double[] scores = byShape.computeIfAbsent(shape, k -> new double[2]);
            scores[side.equals("core") ? 0 : 1] = r.getPrimaryResult().getScore();
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-14s %16s %16s %8s%n", "shape", "this core /s", "Smile 3.1.1 /s", "ratio");
        byShape.forEach((shape, s) -> System.out.printf(Locale.ROOT, "%-14s %,16.0f %,16.0f %7.1fx%n",
                "[" + shape + "]", s[0], s[1], s[0] / s[1]));
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
