package io.backpropstreams.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.schema.LayerWeights;
import io.backpropstreams.schema.Prediction;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.topology.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * One line of text (or one JSON object) per record of an output topic: a weights update, a
 * training metric, a prediction or a dead letter with its reason and origin, as {@code watch} (and
 * {@code predict}) prints them.
 * Text lines start with the record's timestamp and keep their columns aligned; numbers have 6
 * significant figures. The JSON form has every value in full.
 */
public final class OutputRecordFormatter {

    /** The output topic a record comes from. */
    public enum Kind { WEIGHTS, METRICS, PREDICTIONS, DRIFT, DEAD_LETTERS }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(java.time.ZoneId.systemDefault());

    private final Kind kind;
    private final boolean json;

    /** @param json one JSON object per record instead of text */
    public OutputRecordFormatter(Kind kind, boolean json) {
        this.kind = kind;
        this.json = json;
    }

    /** The record's model id (its key), or null. */
    public static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    /** The record as one line. */
    public String format(ConsumerRecord<byte[], byte[]> r) {
        String key = key(r);
        String line = switch (kind) {
            case WEIGHTS -> r.value() == null ? deleted(key) : weights(Serdes.WEIGHTS_UPDATE.decode(r.value()));
            case METRICS -> metric(Serdes.TRAINING_METRIC.decode(r.value()));
            case PREDICTIONS -> prediction(Serdes.PREDICTION.decode(r.value()));
            case DRIFT -> drift(Serdes.DRIFT_DETECTION.decode(r.value()));
            case DEAD_LETTERS -> deadLetter(key, r);
        };
        return json ? line : TIME.format(java.time.Instant.ofEpochMilli(r.timestamp())) + "  " + line;
    }

    /** {@code x} with 6 significant figures: {@code 0.298371}, {@code 4.38568e-04}. */
    public static String sixFigures(double x) {
        return String.format(java.util.Locale.ROOT, "%.6g", x);
    }

    private static String sixFigures(java.util.List<Double> xs) {
        return xs.stream().map(OutputRecordFormatter::sixFigures).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    private String deleted(String key) {
        if (json) {
            return JSON.createObjectNode().put("modelId", key).put("deleted", true).toString();
        }
        return String.format("%-20s deleted", key);
    }

    private String weights(WeightsUpdate u) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("modelId", u.getModelId());
            o.put("step", u.getStep());
            o.put("event", u.getEvent());
            ArrayNode layers = o.putArray("layers");
            for (LayerWeights lw : u.getLayers()) {
                ObjectNode l = layers.addObject();
                l.put("inputs", lw.getInputs());
                l.put("outputs", lw.getOutputs());
                l.put("activation", lw.getActivation());
                ArrayNode w = l.putArray("weights");
                lw.getWeights().forEach(w::add);
                ArrayNode b = l.putArray("biases");
                lw.getBiases().forEach(b::add);
            }
            return o.toString();
        }
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%-20s step %9d %-7s", u.getModelId(), u.getStep(),
                "step".equals(u.getEvent()) ? "" : "(" + u.getEvent() + ")"));
        int l = 1;
        for (LayerWeights lw : u.getLayers()) {
            sb.append(" | layer ").append(l++).append(' ').append(lw.getOutputs()).append('×').append(lw.getInputs())
                    .append(" W=").append(sixFigures(lw.getWeights())).append(" b=").append(sixFigures(lw.getBiases()));
        }
        return sb.toString();
    }

    private String metric(TrainingMetric m) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("modelId", m.getModelId());
            o.put("step", m.getStep());
            o.put("loss", m.getLoss());
            ArrayNode out = o.putArray("output");
            m.getOutput().forEach(out::add);
            o.put("lossEma", m.getLossEma());
            if (m.getCorrect() != null) {
                o.put("correct", m.getCorrect());
            }
            return o.toString();
        }
        // a classification sample's verdict at the end, so that the columns of every other line stay as they were
        return String.format(java.util.Locale.ROOT, "%-20s step %9d  loss %-12s  ema %-12s  output %s", m.getModelId(), m.getStep(),
                sixFigures(m.getLoss()), sixFigures(m.getLossEma()), sixFigures(m.getOutput()))
                + (m.getCorrect() == null ? "" : "  correct " + m.getCorrect());
    }

    private String drift(io.backpropstreams.schema.DriftDetection d) {
        if (json) {
            return JSON.createObjectNode().put("modelId", d.getModelId()).put("step", d.getStep()).put("detector", d.getDetector())
                    .put("statistic", d.getStatistic()).put("lossEma", d.getLossEma()).put("onDrift", d.getOnDrift()).toString();
        }
        return String.format(java.util.Locale.ROOT, "%-20s step %9d  drift (%s, statistic %s)  ema %-12s  onDrift %s", d.getModelId(),
                d.getStep(), d.getDetector(), sixFigures(d.getStatistic()), sixFigures(d.getLossEma()), d.getOnDrift());
    }

    private String prediction(Prediction p) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("modelId", p.getModelId());
            o.put("requestId", p.getRequestId());
            o.put("step", p.getStep());
            ArrayNode out = o.putArray("outputs");
            p.getOutputs().forEach(out::add);
            o.put("predictedClass", p.getPredictedClass());
            return o.toString();
        }
        return String.format(java.util.Locale.ROOT, "%-20s step %9d  request %-12s  outputs %s%s", p.getModelId(), p.getStep(),
                p.getRequestId() == null ? "-" : p.getRequestId(), sixFigures(p.getOutputs()),
                p.getPredictedClass() == null ? "" : "  class " + p.getPredictedClass());
    }

    private String deadLetter(String key, ConsumerRecord<byte[], byte[]> r) {
        String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
        String message = DeadLetters.header(r.headers(), DeadLetters.MESSAGE);
        String origin = DeadLetters.header(r.headers(), DeadLetters.TOPIC) + "-" + DeadLetters.header(r.headers(), DeadLetters.PARTITION)
                + "@" + DeadLetters.header(r.headers(), DeadLetters.OFFSET);
        int size = r.value() == null ? 0 : r.value().length;
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("key", key);
            o.put("reason", reason);
            o.put("message", message);
            o.put("topic", DeadLetters.header(r.headers(), DeadLetters.TOPIC));
            o.put("partition", DeadLetters.header(r.headers(), DeadLetters.PARTITION));
            o.put("offset", DeadLetters.header(r.headers(), DeadLetters.OFFSET));
            o.put("bytes", size);
            return o.toString();
        }
        return "key=" + key + " reason=" + reason + " from=" + origin + " bytes=" + size + ": " + message;
    }
}
