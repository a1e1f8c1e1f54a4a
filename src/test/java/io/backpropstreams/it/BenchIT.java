package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench} end to end, small: it starts {@code run} and the baseline as their own JVMs, times
 * them by their committed offsets and measures latency. Only that it works and reports every figure
 * is asserted; speed targets belong to the benchmark itself, not to a test on a noisy machine.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BenchIT {

    @Test
    void benchRunsTheRealRunCommandAndTheBaselineAndReportsEveryFigure() throws Exception {
        JsonNode f = bench("--samples", "3000", "--rounds", "1", "--latency-seconds", "2", "--big-samples", "0", "--routing-samples", "0");
        for (String key : List.of("baseline_per_s", "run_json_per_s", "run_avro_per_s")) {
            assertTrue(f.get(key).asDouble() > 0, key + " in " + f);
            assertEquals(1, f.get(key + "_rounds").size(), key + " per round");
        }
        assertEquals(f.get("run_json_per_s").asDouble() / f.get("baseline_per_s").asDouble(), f.get("run_json_over_baseline").asDouble(), 1e-9);
        assertEquals(f.get("run_avro_per_s").asDouble() / f.get("baseline_per_s").asDouble(), f.get("run_avro_over_baseline").asDouble(), 1e-9);
        assertEquals(f.get("run_json_per_s_rounds").get(0).asDouble() / f.get("baseline_per_s_rounds").get(0).asDouble(),
                f.get("run_json_over_baseline_paired").asDouble(), 1e-9, "one round: the paired ratio is that round's");
        assertEquals(100, f.get("commit_interval_ms").asLong(), "run's exactly-once default");
        assertTrue(f.get("latency_samples").asLong() > 0, "latency measured: " + f);
        assertTrue(f.get("latency_p99_ms").asLong() >= f.get("latency_p50_ms").asLong());
        assertEquals(f.get("run_json_per_s").asDouble() / 2, f.get("latency_rate_per_s").asDouble(), 1e-6, "at half the JSON rate");
        // the worst sample of each 250 ms window: 2 s measured, so about 8 windows, and the worst of them is the run's max
        com.fasterxml.jackson.databind.JsonNode windows = f.get("latency_worst_ms_per_250ms");
        assertTrue(windows.size() >= 4 && windows.size() <= 12, "windows: " + windows);
        long worst = 0;
        for (com.fasterxml.jackson.databind.JsonNode w : windows) {
            worst = Math.max(worst, w.asLong());
        }
        // the histogram keeps 3 significant digits
        assertEquals(f.get("latency_max_ms").asDouble(), worst, Math.max(1.0, worst * 0.002), "windows " + windows);
        assertTrue(f.get("latency_windows_from_epoch_ms").asLong() > 1_700_000_000_000L, "wall-clock start of the windows");
    }

    @Test
    void theInProcessExtrasReportTheBigModelAgainstItsBaselineAndTheRerouting() throws Exception {
        // enough samples for each in-process run to span several commits (2,000 lecture samples can all land in one)
        JsonNode f = bench("--samples", "2000", "--rounds", "1", "--latency-seconds", "0", "--big-samples", "4000", "--routing-samples", "30000");
        assertTrue(f.get("latency_samples") == null, "--latency-seconds 0 skips the latency run: " + f);
        for (String key : List.of("d_big_per_s", "d_baseline_per_s", "d_core_in_process_per_s", "e_direct_per_s", "e_rerouted_per_s")) {
            assertTrue(f.get(key).asDouble() > 0, key + " in " + f);
        }
        assertTrue(f.get("d_error") == null && f.get("d_baseline_error") == null && f.get("e_error") == null, "no extra failed: " + f);
        assertTrue(f.get("d_over_baseline").asDouble() > 0 && f.get("e_rerouted_over_direct").asDouble() > 0, "ratios: " + f);
        // the ceiling adds the two costs per sample, so it is below each of them
        double ceiling = f.get("d_ceiling_per_s").asDouble();
        assertTrue(ceiling > 0 && ceiling < f.get("d_baseline_per_s").asDouble() && ceiling < f.get("d_core_in_process_per_s").asDouble(),
                "ceiling below the baseline and the core: " + f);
        // Kafka Streams' own metrics of (d)'s stream thread: processing time per sample and commits
        assertTrue(f.get("d_process_us_per_sample").asDouble() > 0, "processing time per sample: " + f);
        assertTrue(f.get("d_commits").asLong() >= 1 && f.get("d_commit_ms").asDouble() > 0, "commits: " + f);
    }

    /** {@code bench ARGS --json}, which must exit 0, as its figures. */
    private static JsonNode bench(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] command = new String[args.length + 2];
        command[0] = "bench";
        System.arraycopy(args, 0, command, 1, args.length);
        command[command.length - 1] = "--json";
        assertEquals(0, cl.execute(command), "bench failed: " + err);
        return new ObjectMapper().readTree(out.toString());
    }
}
