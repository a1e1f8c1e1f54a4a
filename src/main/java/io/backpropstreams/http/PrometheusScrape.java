package io.backpropstreams.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code /metrics} scrape without NaN series.
 *
 * <p>Kafka's clients and Kafka Streams report an average, a maximum or a rate over a time window
 * as NaN while the window holds no sample: the commit latency of an idle thread, the state-store
 * latencies of a store nobody wrote to, the lag of a partition not fetched yet. A NaN series says
 * nothing, and Prometheus stores it anyway; whether a series is NaN changes with traffic, so no
 * filter on meter names (a Micrometer {@code MeterFilter} sees only the name and tags, at
 * registration) can tell them apart. This filters each scrape's snapshot by value instead: a NaN
 * gauge or counter sample is left out, and a family left with no sample is left out whole. The
 * text is then written by Prometheus's own text-format writer, as Micrometer's {@code scrape()} would.
 */
final class PrometheusScrape {

    /** The content type of the text format written. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private PrometheusScrape() {
    }

    /** The registry's current figures in the Prometheus text format, without NaN samples. */
    static String withoutNaN(PrometheusMeterRegistry registry) {
        List<MetricSnapshot> kept = new ArrayList<>();
        for (MetricSnapshot m : registry.getPrometheusRegistry().scrape()) {
            MetricSnapshot finite = withoutNaN(m);
            if (finite != null) {
                kept.add(finite);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(kept));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code m} without its NaN samples, or null if none is left. Summaries and histograms are kept as they are. */
    static MetricSnapshot withoutNaN(MetricSnapshot m) {
        if (m instanceof GaugeSnapshot g) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = g.getDataPoints().stream().filter(p -> !Double.isNaN(p.getValue())).toList();
            return points.isEmpty() ? null : points.size() == g.getDataPoints().size() ? g : new GaugeSnapshot(g.getMetadata(), points);
        }
        if (m instanceof CounterSnapshot c) {
            List<CounterSnapshot.CounterDataPointSnapshot> points = c.getDataPoints().stream().filter(p -> !Double.isNaN(p.getValue())).toList();
            return points.isEmpty() ? null : points.size() == c.getDataPoints().size() ? c : new CounterSnapshot(c.getMetadata(), points);
        }
        return m;
    }
}
