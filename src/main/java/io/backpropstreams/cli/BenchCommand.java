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
 * {@code bench}: how close the trainer runs to Kafka's own limit, measured side by side in one run
 * with the same samples: (a) a no-math baseline of the same shape, (b) the trainer on the lecture
 * model, (c) produce-to-weights latency at half of (b)'s throughput, (d) a [784,128,10] model
 * against the core's own speed, (e) the direct path against rerouted samples on two partitions.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the trainer against Kafka's own limit, exactly-once, on the embedded broker or a cluster:",
            "  (a) a no-math baseline topology of the same shape (same store, same two outputs per sample),",
            "  (b) the trainer on the lecture model with publishEvery 1,",
            "  (c) latency from produce to committed weights update at half of (b)'s rate (HdrHistogram),",
            "  (d) a [784,128,10] sigmoid model with publishEvery 1000, against the core trained in-process,",
            "  (e) two partitions: samples on their model's partition (direct) against samples that all need rerouting.",
            "Samples are produced before timing starts; timing runs from the first committed output to the last.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams bench",
            "  backprop-streams bench --samples 200000 --big-samples 5000 --latency-seconds 10 --json",
        })
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", defaultValue = "1000000", description = "Lecture samples for (a) and (b) (default ${DEFAULT-VALUE}).")
    long samples;

    @Option(names = "--big-samples", defaultValue = "20000", description = "Samples for the [784,128,10] model (d); 0 skips it (default ${DEFAULT-VALUE}).")
    long bigSamples;

    @Option(names = "--latency-seconds", defaultValue = "15", description = "Duration of the latency run (c); 0 skips it (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--routing-samples", defaultValue = "300000",
            description = "Samples for each run of (e), direct and rerouted; 0 skips it (default ${DEFAULT-VALUE}).")
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
        if (samples < 1000 || bigSamples < 0 || latencySeconds < 0 || routingSamples < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--samples must be ≥ 1000 and --big-samples, --latency-seconds, --routing-samples ≥ 0; got "
                    + samples + ", " + bigSamples + ", " + latencySeconds + ", " + routingSamples);
        }
        PrintWriter err = spec.commandLine().getErr();
        PipelineBenchmark.Settings settings = new PipelineBenchmark.Settings(samples, bigSamples, latencySeconds, jmhBig,
                bootstrapServers, timeoutSeconds, routingSamples);
        Map<String, Object> figures = PipelineBenchmark.run(ClientConfigs.load(config), settings, line -> status(err, line),
                ProgressBar.Factory.on(err, !json));
        print(spec.commandLine().getOut(), figures);
        return 0;
    }

    private void print(PrintWriter out, Map<String, Object> figures) {
        if (json) {
            ObjectNode o = new ObjectMapper().valueToTree(figures);
            out.println(o);
            out.flush();
            return;
        }
        out.println();
        out.printf(Locale.ROOT, "%-58s %s%n", "figure", "value");
        out.printf(Locale.ROOT, "%-58s %,.0f samples/s%n", "(a) baseline: same shape, no math", figures.get("a_baseline_per_s"));
        out.printf(Locale.ROOT, "%-58s %,.0f samples/s  (b)/(a) = %.0f%%%n", "(b) trainer: lecture model, publishEvery 1",
                figures.get("b_trainer_per_s"), 100 * (Double) figures.get("b_over_a"));
        out.printf(Locale.ROOT, "%-58s %,d records over %,d commits = %.2f per commit per model%n", "    changelog of (b)",
                figures.get("b_changelog_records"), figures.get("b_commits"), figures.get("b_changelog_per_commit_per_model"));
        if (figures.containsKey("c_p50_ms")) {
            out.printf(Locale.ROOT, "%-58s p50 %d ms, p99 %d ms, p99.9 %d ms (max %d)%n",
                    String.format(Locale.ROOT, "(c) produce → weights latency at %,.0f samples/s", figures.get("c_rate_per_s")),
                    figures.get("c_p50_ms"), figures.get("c_p99_ms"), figures.get("c_p999_ms"), figures.get("c_max_ms"));
            out.printf(Locale.ROOT, "%-58s %s ms%n", "    commit.interval.ms", figures.get("commit_interval_ms"));
        }
        if (figures.containsKey("d_big_per_s")) {
            out.printf(Locale.ROOT, "%-58s %,.0f samples/s  core in-process %,.0f steps/s, (d)/core = %.0f%%%n",
                    "(d) [784,128,10] sigmoid, publishEvery 1000", figures.get("d_big_per_s"), figures.get("d_core_in_process_per_s"),
                    100 * (Double) figures.get("d_over_core"));
            if (figures.containsKey("d_over_jmh")) {
                out.printf(Locale.ROOT, "%-58s %,.0f steps/s, (d)/JMH = %.0f%%%n", "    JMH figure given", figures.get("d_jmh_per_s"),
                        100 * (Double) figures.get("d_over_jmh"));
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
