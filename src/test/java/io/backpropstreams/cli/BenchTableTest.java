package io.backpropstreams.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table {@code bench} prints, from figures of the kinds and types the benchmark produces (the
 * values of the run of 2026-12-06 at 21:00 UTC): every row the README shows, and an extra that
 * failed named as such while the others stand.
 */
class BenchTableTest {

    private static Map<String, Object> figures() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("samples_per_round", 300_000L);
        f.put("commit_interval_ms", "100");
        f.put("baseline_per_s", 76_977.0);
        f.put("baseline_per_s_rounds", new double[] {57_126, 76_977, 73_112, 88_343, 85_772});
        f.put("run_json_per_s", 63_828.0);
        f.put("run_json_per_s_rounds", new double[] {53_812, 57_446, 63_828, 70_650, 71_897});
        f.put("run_json_over_baseline_paired", 0.84);
        f.put("run_avro_per_s", 73_367.0);
        f.put("run_avro_per_s_rounds", new double[] {64_270, 76_911, 76_978, 68_600, 73_367});
        f.put("run_avro_over_baseline_paired", 1.0);
        f.put("latency_p50_ms", 88L);
        f.put("latency_p99_ms", 192L);
        f.put("latency_p999_ms", 227L);
        f.put("latency_max_ms", 239L);
        f.put("latency_samples", 478_734L);
        f.put("latency_rate_per_s", 31_914.0);
        f.put("latency_worst_ms_per_250ms", List.of(150L, 239L, 120L, 201L));
        f.put("d_big_per_s", 9_338.0);
        f.put("d_core_in_process_per_s", 36_044.0);
        f.put("d_over_core", 9_338.0 / 36_044.0);
        f.put("d_baseline_per_s", 35_870.0);
        f.put("d_over_baseline", 9_338.0 / 35_870.0);
        f.put("d_ceiling_per_s", 1 / (1 / 35_870.0 + 1 / 36_044.0));
        f.put("d_ceiling_over_core", 35_870.0 / (35_870.0 + 36_044.0));
        f.put("d_process_us_per_sample", 98.0);
        f.put("d_commit_ms", 17.0);
        f.put("d_commits", 18L);
        f.put("e_direct_per_s", 95_375.0);
        f.put("e_rerouted_per_s", 94_764.0);
        f.put("e_rerouted_over_direct", 94_764.0 / 95_375.0);
        return f;
    }

    private static String table(Map<String, Object> figures) {
        StringWriter s = new StringWriter();
        BenchCommand.printTable(new PrintWriter(s), figures);
        return s.toString();
    }

    @Test
    void everyMeasuredFigureHasItsRow() {
        String t = table(figures());
        for (String row : List.of(
                "run, JSON samples                    63,828    53,812   57,446   63,828   70,650   71,897   0.83x baseline (per round: median 0.84x)",
                "latency produce → weights      p50 88 ms, p99 192 ms, p99.9 227 ms, max 239 ms (478,734 samples, JSON, at 31,914/s = half the JSON median)",
                "2 of 4 windows of 250 ms had a sample slower than 200 ms",
                "(d) [784,128,10] sigmoid, publishEvery 1000                9,338 samples/s  core in-process 36,044 steps/s, (d)/core = 26%",
                "    no-math baseline, same samples and record sizes        35,870 samples/s  (d)/baseline = 26%",
                "    ceiling: the baseline's time plus the core's step      17,978 samples/s  ceiling/core = 50%",
                "    stream thread (Kafka Streams' metrics)                 98 µs/sample processing (the core alone: 28 µs), 18 commits of 17 ms",
                "    every sample on the other partition (rerouted)         94,764 samples/s  rerouted/direct = 99%")) {
            assertTrue(t.contains(row), "missing\n" + row + "\nin\n" + t);
        }
        assertFalse(t.contains("failed"), t);
    }

    @Test
    void aFailedBaselineIsNamedAndTheBigModelsFiguresStay() {
        Map<String, Object> f = figures();
        f.remove("d_baseline_per_s");
        f.remove("d_over_baseline");
        f.remove("d_ceiling_per_s");
        f.remove("d_ceiling_over_core");
        f.put("d_baseline_error", "the read_committed consumer saw 12 of 60,000 records within 600 s");
        String t = table(f);
        assertTrue(t.contains("(d baseline) failed: the read_committed consumer saw 12 of 60,000 records within 600 s"), t);
        assertTrue(t.contains("9,338 samples/s  core in-process 36,044 steps/s"), t);
        assertFalse(t.contains("no-math baseline, same samples"), t);
        assertFalse(t.contains("ceiling"), t);
    }
}
