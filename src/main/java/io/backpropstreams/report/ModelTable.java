package io.backpropstreams.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.schema.TrainingProgress;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code model list} prints: one aligned row per model (id, shape, committed step, loss EMA
 * with 6 significant figures, the time of the trainer's last progress record), or with
 * {@code --json} one object per line with the whole spec, and for a model that has classified a
 * sample its prequential accuracy ({@code classified}, {@code correct}, {@code accuracy},
 * {@code accuracyEma}, as {@code /models} gives them).
 */
public final class ModelTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Map<String, ModelSpec> specs;
    private final Map<String, TrainingProgress> progress;

    public ModelTable(Map<String, ModelSpec> specs, Map<String, TrainingProgress> progress) {
        this.specs = specs;
        this.progress = progress;
    }

    public void print(PrintWriter out, boolean json) {
        if (json) {
            specs.forEach((id, spec) -> out.println(jsonLine(id, spec)));
            return;
        }
        int idWidth = Math.max(5, specs.keySet().stream().mapToInt(String::length).max().orElse(0));
        String format = "%-" + idWidth + "s  %-16s %10s  %-12s  %s%n";
        out.printf(Locale.ROOT, format, "MODEL", "SHAPE", "STEP", "LOSS EMA", "UPDATED");
        specs.forEach((id, spec) -> {
            TrainingProgress p = progress.get(id);
            out.printf(Locale.ROOT, format, id, shape(spec), p == null ? "–" : Long.toString(p.getStep()),
                    p == null ? "–" : sixFigures(p.getLossEma()), p == null ? "not trained yet" : TIME.format(p.getTimestamp()));
        });
    }

    private String jsonLine(String id, ModelSpec spec) {
        try {
            ObjectNode o = JSON.createObjectNode().put("modelId", id);
            o.set("spec", JSON.readTree(ModelSpecs.toJson(spec)));
            TrainingProgress p = progress.get(id);
            if (p != null) {
                o.put("step", p.getStep());
                if (Double.isNaN(p.getLossEma())) {
                    o.putNull("lossEma");
                } else {
                    o.put("lossEma", p.getLossEma());
                }
                if (p.getClassified() > 0) {
                    o.put("classified", p.getClassified());
                    o.put("correct", p.getCorrect());
                    o.put("accuracy", (double) p.getCorrect() / p.getClassified());
                    if (p.getAccuracyEma() != null) {
                        o.put("accuracyEma", p.getAccuracyEma());
                    }
                }
                o.put("updated", p.getTimestamp().toString());
            }
            return o.toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a spec's own JSON does not parse", e);
        }
    }

    private static String shape(ModelSpec spec) {
        return spec.getLayers().stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }

    /** 6 significant figures, as {@code watch} prints them; a dash before the first step. */
    static String sixFigures(double x) {
        return Double.isNaN(x) ? "–" : OutputRecordFormatter.sixFigures(x);
    }
}
