package io.backpropstreams.service;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Drops the process UUID from metric label values. Kafka Streams names its threads and clients
 * {@code <application.id>-<process UUID>-StreamThread-1…}, and that UUID is new at every start
 * without persistent state, so each restart would begin new Prometheus series. With the UUID
 * removed, {@code thread_id="backprop-streams-StreamThread-1"} stays the same across restarts;
 * one process has one UUID, so no two series merge.
 */
final class StableMetricLabels {

    private static final Pattern UUID = Pattern.compile("-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            List<Tag> tags = new ArrayList<>();
            boolean changed = false;
            for (Tag t : id.getTagsAsIterable()) {
                String v = strip(t.getValue());
                changed |= !v.equals(t.getValue());
                tags.add(Tag.of(t.getKey(), v));
            }
            return changed ? id.replaceTags(tags) : id;
        }
    };

    private StableMetricLabels() {
    }

    /** {@code value} without any UUID (and the dash before it). */
    static String strip(String value) {
        return UUID.matcher(value).replaceAll("");
    }
}
