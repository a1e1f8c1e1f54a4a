package io.backpropstreams.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.avro.OutputEncoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code watch}'s lines: a timestamp, aligned columns and 6 significant figures; the JSON form keeps every bit. */
class OutputRecordFormatterTest {

    private static ConsumerRecord<byte[], byte[]> metric(String id, long step, double loss, double ema) {
        return metric(id, step, loss, ema, new double[] {0.01, 0.99}, null);
    }

    private static ConsumerRecord<byte[], byte[]> metric(String id, long step, double loss, double ema, double[] target, Boolean correct) {
        byte[] value = new OutputEncoder().trainingMetric(id, step, loss, new double[] {0.7513650695523157, 0.7729284653214625},
                target, ema, 1_700_000_000_000L, correct);
        return new ConsumerRecord<>("metrics", 0, step, 1_700_000_000_000L, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, id.getBytes(StandardCharsets.UTF_8), value, new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
    }

    @Test
    void textHasATimestampAlignedColumnsAndSixSignificantFigures() {
        OutputRecordFormatter f = new OutputRecordFormatter(OutputRecordFormatter.Kind.METRICS, false);
        String a = f.format(metric("lecture", 1, 0.2983711087600027, 0.2983711087600027));
        String b = f.format(metric("lecture-sequential", 10_000, 4.3856773447434685E-4, 3.510187783e-5));
        assertTrue(a.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}  lecture +step +1  loss 0\\.298371 +ema 0\\.298371 +output "
                + "\\[0\\.751365, 0\\.772928\\]"), a);
        assertTrue(b.contains("loss 0.000438568") && b.contains("ema 3.51019e-05"), b);
        assertEquals(a.indexOf("loss"), b.indexOf("loss"), "columns line up:\n" + a + "\n" + b);
    }

    @Test
    void aClassificationSampleEndsItsLineWithItsVerdictAndKeepsTheColumns() throws Exception {
        OutputRecordFormatter text = new OutputRecordFormatter(OutputRecordFormatter.Kind.METRICS, false);
        String regression = text.format(metric("m", 5, 0.25, 0.3));
        String right = text.format(metric("m", 6, 0.25, 0.3, new double[] {0, 1}, true));
        String wrong = text.format(metric("m", 7, 0.25, 0.3, new double[] {1, 0}, false));
        assertTrue(right.endsWith("]  correct true"), right);
        assertTrue(wrong.endsWith("]  correct false"), wrong);
        assertTrue(regression.endsWith("]"), "no verdict for a soft target: " + regression);
        assertEquals(regression.indexOf("output"), right.indexOf("output"), "columns line up:\n" + regression + "\n" + right);

        OutputRecordFormatter json = new OutputRecordFormatter(OutputRecordFormatter.Kind.METRICS, true);
        assertFalse(new ObjectMapper().readTree(json.format(metric("m", 5, 0.25, 0.3))).has("correct"));
        assertFalse(new ObjectMapper().readTree(json.format(metric("m", 7, 0.25, 0.3, new double[] {1, 0}, false))).get("correct").asBoolean(true));
        assertTrue(new ObjectMapper().readTree(json.format(metric("m", 6, 0.25, 0.3, new double[] {0, 1}, true))).get("correct").asBoolean(false));
    }

    @Test
    void jsonKeepsEveryValueInFull() throws Exception {
        String line = new OutputRecordFormatter(OutputRecordFormatter.Kind.METRICS, true).format(metric("lecture", 1, 0.2983711087600027, 0.1));
        JsonNode o = new ObjectMapper().readTree(line);
        assertEquals(0.2983711087600027, o.get("loss").asDouble(), 0.0);
        assertEquals(0.7513650695523157, o.get("output").get(0).asDouble(), 0.0);
    }

    private static ConsumerRecord<byte[], byte[]> prediction(String requestId, int predictedClass) {
        byte[] value = new OutputEncoder().prediction("xor", requestId, 5000, new double[] {0.9613072446390233, 0.03869275536097676},
                predictedClass, 1, 42, 1_700_000_000_000L);
        return new ConsumerRecord<>("predictions", 0, 0, 1_700_000_000_000L, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, "xor".getBytes(StandardCharsets.UTF_8), value, new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
    }

    @Test
    void aPredictionIsOneLineWithItsRequestStepOutputsAndClassIfAny() throws Exception {
        OutputRecordFormatter text = new OutputRecordFormatter(OutputRecordFormatter.Kind.PREDICTIONS, false);
        String withClass = text.format(prediction("r-42", 0));
        assertTrue(withClass.endsWith("xor                  step      5000  request r-42          outputs [0.961307, 0.0386928]  class 0"),
                withClass);
        String plain = text.format(prediction(null, -1));
        assertTrue(plain.endsWith("request -             outputs [0.961307, 0.0386928]"), plain);

        JsonNode o = new ObjectMapper().readTree(new OutputRecordFormatter(OutputRecordFormatter.Kind.PREDICTIONS, true)
                .format(prediction(null, -1)));
        assertTrue(o.get("requestId").isNull() && o.get("predictedClass").isNull(), o.toString());
        assertEquals(5000, o.get("step").asLong());
        assertEquals(0.9613072446390233, o.get("outputs").get(0).asDouble(), 0.0);
    }
}
