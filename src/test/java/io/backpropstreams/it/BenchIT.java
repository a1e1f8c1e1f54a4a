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
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("bench", "--samples", "3000", "--rounds", "1", "--latency-seconds", "2", "--big-samples", "0",
                "--routing-samples", "0", "--json");
        assertEquals(0, exit, "bench failed: " + err);
        JsonNode f = new ObjectMapper().readTree(out.toString());
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
    }
}
