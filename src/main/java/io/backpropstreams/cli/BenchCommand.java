package io.backpropstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.bench.PipelineBenchmark;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.report.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench}: how close {@code run} comes to Kafka's own limit, measured as users run it (see
 * {@link PipelineBenchmark}), plus two in-process figures.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the trainer against Kafka's own limit, exactly-once, on an embedded broker or your "
                + "cluster.",
            "What users run: the run command in its own JVM (HTTP server and monitor on, all defaults), fed "
                + "the lecture sample as JSON and as Avro, against a no-math application of the same shape (same "
                + "store, same outputs), in alternated rounds; then run's latency from produce to committed "
                + "weights at half its JSON rate.",
            "In-process extras: (d) a [784,128,10] model against the core alone and against a no-math baseline on the same records, (e) direct against rerouted "
                + "samples.",
            "Samples are produced before an application starts; each is timed by its committed input "
                + "offsets.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams bench",
            "  backprop-streams bench --samples 300000 --rounds 5 --big-samples 0 --routing-samples 0",
            "  backprop-streams bench --jvm-option=-XX:StartFlightRecording=filename=run.jfr --json",
        })
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", defaultValue = "300000",
            description = "Lecture samples per application and round (default ${DEFAULT-VALUE}).")
    long samples;

    @Option(names = "--rounds", defaultValue = "5",
            description = "Alternated rounds of baseline, run with JSON and run with Avro; medians are reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--jvm-option", paramLabel = "OPTION",
            description = "An extra JVM option for the applications measured, for example a JFR recording (repeatable).")
    java.util.List<String> jvmOptions = new java.util.ArrayList<>();

    @Option(names = "--big-samples", defaultValue = "20000", description = "Samples for the in-process [784,128,10] model (d), and three times as many for its no-math baseline; 0 skips both (default ${DEFAULT-VALUE}).")
    long bigSamples;

    @Option(names = "--latency-seconds", defaultValue = "15", description = "Duration of the latency run; 0 skips it (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--routing-samples", defaultValue = "300000",
            description = "Samples for each in-process run of (e), direct and rerouted; 0 skips it (default ${DEFAULT-VALUE}).")
    long routingSamples;

    @Option(names = "--jmh-big", defaultValue = "0", description = "JMH steps/s of the core for [784,128,10], to compare (d) with (optional).")
    double jmhBig;

    @Option(names = {"-b", "--bootstrap-servers"}, description = "Use this cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties for Kafka Streams and the clients.")
    Path config;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds each phase may take (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (samples < 1000) {
            throw new ParameterException(spec.commandLine(), "--samples must be at least 1000, got " + samples);
        }
        if (rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        if (bigSamples < 0 || latencySeconds < 0 || routingSamples < 0) {
            throw new ParameterException(spec.commandLine(), "--big-samples, --latency-seconds and --routing-samples must be 0 or more; got "
                    + bigSamples + ", " + latencySeconds + ", " + routingSamples);
        }
        PrintWriter err = spec.commandLine().getErr();
        PipelineBenchmark.Settings settings = new PipelineBenchmark.Settings(samples, rounds, java.util.List.copyOf(jvmOptions), bigSamples, latencySeconds, jmhBig,
                bootstrapServers, timeoutSeconds, routingSamples);
        Map<String, Object> figures = PipelineBenchmark.run(ClientConfigs.load(config), settings, line -> status(err, line),
                ProgressBar.Factory.on(err, !json));
        print(spec.commandLine().getOut(), figures);
        // what users run was measured and printed; an extra that failed still fails the command
        return figures.containsKey("d_error") || figures.containsKey("d_baseline_error") || figures.containsKey("e_error") ? 1 : 0;
    }

    private void print(PrintWriter out, Map<String, Object> figures) {
        if (json) {
            ObjectNode o = new ObjectMapper().valueToTree(figures);
            out.println(o);
            out.flush();
            return;
        }
        printTable(out, figures);
    }

    /** The table users read: what users run, then the in-process extras that were measured or failed. */
    static void printTable(PrintWriter out, Map<String, Object> figures) {
        out.println();
        out.printf(Locale.ROOT, "What users run: `run` in its own JVM (HTTP server and monitor on), %,d lecture samples per round,"
                + " exactly-once, commit.interval.ms %s%n", figures.get("samples_per_round"), figures.get("commit_interval_ms"));
        out.printf(Locale.ROOT, "%-30s %12s  %s%n", "application", "median /s", "rounds /s");
        double baseline = (Double) figures.get("baseline_per_s");
        for (String[] row : new String[][] {{"baseline", "baseline (no math)"}, {"run_json", "run, JSON samples"},
                {"run_avro", "run, Avro samples"}}) {
            double median = (Double) figures.get(row[0] + "_per_s");
            StringBuilder perRound = new StringBuilder();
            for (double r : (double[]) figures.get(row[0] + "_per_s_rounds")) {
                perRound.append(String.format(Locale.ROOT, "%,9.0f", r));
            }
            String ratio = row[0].equals("baseline") ? "" : String.format(Locale.ROOT, "   %.2fx baseline (per round: median %.2fx)",
                    median / baseline, figures.get(row[0] + "_over_baseline_paired"));
            out.printf(Locale.ROOT, "%-30s %,12.0f %s%s%n", row[1], median, perRound, ratio);
        }
        if (figures.containsKey("latency_p50_ms")) {
            out.printf(Locale.ROOT, "%-30s p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms (%,d samples, JSON, at %,.0f/s = half the JSON median)%n",
                    "latency produce → weights", figures.get("latency_p50_ms"), figures.get("latency_p99_ms"), figures.get("latency_p999_ms"),
                    figures.get("latency_max_ms"), figures.get("latency_samples"), figures.get("latency_rate_per_s"));
            if (figures.get("latency_worst_ms_per_250ms") instanceof java.util.List<?> worst && !worst.isEmpty()) {
                long over = worst.stream().filter(w -> ((Number) w).longValue() > 200).count();
                // a few slow windows are a stall (a pause somewhere on the machine); most of them, a trainer that cannot keep up
                out.printf(Locale.ROOT, "%-30s %d of %d windows of 250 ms had a sample slower than 200 ms%n", "", over, worst.size());
            }
        }
        if (figures.containsKey("d_big_per_s") || figures.containsKey("e_direct_per_s")
                || figures.containsKey("d_error") || figures.containsKey("e_error")) {
            out.println();
            out.println("In-process (the trainer's topology in the benchmark's JVM, no HTTP server, no monitor):");
        }
        if (figures.containsKey("d_big_per_s")) {
            out.printf(Locale.ROOT, "%-58s %,.0f samples/s  core in-process %,.0f steps/s, (d)/core = %.0f%%%n",
                    "(d) [784,128,10] sigmoid, publishEvery 1000", figures.get("d_big_per_s"), figures.get("d_core_in_process_per_s"),
                    100 * (Double) figures.get("d_over_core"));
            if (figures.containsKey("d_baseline_per_s")) {
                // Kafka's own limit for these 6 KB samples: the same records through the no-math topology
                out.printf(Locale.ROOT, "%-58s %,.0f samples/s  (d)/baseline = %.0f%%%n", "    no-math baseline, same samples and record sizes",
                        figures.get("d_baseline_per_s"), 100 * (Double) figures.get("d_over_baseline"));
            }
            if (figures.containsKey("d_ceiling_per_s")) {
                // a sample costs at least Kafka's time (the baseline) plus the step (the core): 1/(1/baseline + 1/core)
                out.printf(Locale.ROOT, "%-58s %,.0f samples/s  ceiling/core = %.0f%%%n", "    ceiling: the baseline's time plus the core's step",
                        figures.get("d_ceiling_per_s"), 100 * (Double) figures.get("d_ceiling_over_core"));
            }
            if (figures.containsKey("d_process_us_per_sample")) {
                out.printf(Locale.ROOT, "%-58s %.0f µs/sample processing (the core alone: %.0f µs), %,d commits of %.0f ms%n",
                        "    stream thread (Kafka Streams' metrics)", figures.get("d_process_us_per_sample"),
                        1e6 / (Double) figures.get("d_core_in_process_per_s"), figures.get("d_commits"), figures.get("d_commit_ms"));
            }
            if (figures.containsKey("d_over_jmh")) {
                out.printf(Locale.ROOT, "%-58s %,.0f steps/s, (d)/JMH = %.0f%%%n", "    JMH figure given", figures.get("d_jmh_per_s"),
                        100 * (Double) figures.get("d_over_jmh"));
            }
        }
        for (String extra : new String[] {"d", "d_baseline", "e"}) {
            if (figures.containsKey(extra + "_error")) {
                out.printf(Locale.ROOT, "(%s) failed: %s%n", extra.replace('_', ' '), figures.get(extra + "_error"));
            }
        }
        if (figures.containsKey("e_direct_per_s")) {
            out.printf(Locale.ROOT, "%-58s %,.0f samples/s%n", "(e) 2 partitions, every sample on its model's partition",
                    figures.get("e_direct_per_s"));
            out.printf(Locale.ROOT, "%-58s %,.0f samples/s  rerouted/direct = %.0f%%%n", "    every sample on the other partition (rerouted)",
                    figures.get("e_rerouted_per_s"), 100 * (Double) figures.get("e_rerouted_over_direct"));
        }
        out.flush();
    }

    private void status(PrintWriter err, String line) {
        if (!json) {
            err.println(line);
            err.flush();
        }
    }
}
