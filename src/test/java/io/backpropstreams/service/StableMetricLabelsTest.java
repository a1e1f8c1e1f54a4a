package io.backpropstreams.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StableMetricLabelsTest {

    @Test
    void theProcessUuidLeavesLabelValues() {
        assertEquals("backprop-streams-StreamThread-1",
                StableMetricLabels.strip("backprop-streams-0b6f1c7e-3d2a-4f0e-9c55-1a2b3c4d5e6f-StreamThread-1"));
        assertEquals("backprop-streams-StreamThread-1-producer",
                StableMetricLabels.strip("backprop-streams-0b6f1c7e-3d2a-4f0e-9c55-1a2b3c4d5e6f-StreamThread-1-producer"));
        assertEquals("lecture", StableMetricLabels.strip("lecture"));

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(StableMetricLabels.FILTER);
        Counter.builder("bps.test").tag("thread.id", "app-0b6f1c7e-3d2a-4f0e-9c55-1a2b3c4d5e6f-StreamThread-1").register(registry).increment();
        String scrape = registry.scrape();
        assertTrue(scrape.contains("thread_id=\"app-StreamThread-1\""), scrape);
        assertFalse(scrape.contains("0b6f1c7e"), scrape);
    }
}
