package io.backpropstreams.avro;

import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.TrainingProgress;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The accuracy fields added to {@code TrainingMetric} and {@code TrainingProgress} keep both ways
 * of reading compatible: records already on the topics (written with the schemas below, copied
 * verbatim from before the change) decode with the new schemas, through our serdes too, and a
 * reader still on the old schemas reads the new records.
 */
class SchemaEvolutionTest {

    /** {@code schemas/TrainingMetric.avsc} before {@code correct} was added. */
    static final String TRAINING_METRIC_1 = """
            {
              "type": "record",
              "name": "TrainingMetric",
              "namespace": "io.backpropstreams.schema",
              "doc": "One per trained sample. The loss is computed before the update: a prequential (test-then-train) error.",
              "fields": [
                {"name": "modelId", "type": "string"},
                {"name": "step", "type": "long", "doc": "The step this sample became, counting from 1."},
                {"name": "loss", "type": "double", "doc": "Loss of the forward pass before the update."},
                {"name": "output", "type": {"type": "array", "items": "double"}, "doc": "Outputs of that forward pass."},
                {"name": "target", "type": {"type": "array", "items": "double"}},
                {"name": "lossEma", "type": "double", "doc": "Exponential moving average of the loss, alpha = 0.01, seeded with the first loss."},
                {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}}
              ]
            }
            """;

    /** {@code schemas/TrainingProgress.avsc} before the accuracy fields were added. */
    static final String TRAINING_PROGRESS_1 = """
            {
              "type": "record",
              "name": "TrainingProgress",
              "namespace": "io.backpropstreams.schema",
              "doc": "A model's committed progress, written by the trainer at most once per model per stats interval (and at once on create and reset) to the compacted training-progress topic, in the same transaction as the steps it counts. The monitor behind /metrics, /models and the dashboard reads this instead of one metrics record per sample.",
              "fields": [
                {"name": "modelId", "type": "string"},
                {"name": "step", "type": "long", "doc": "Steps applied to the model so far; 0 right after a create or reset."},
                {"name": "loss", "type": "double", "doc": "Prequential loss of the last step (NaN at step 0)."},
                {"name": "lossEma", "type": "double", "doc": "Its exponential moving average after the last step (NaN at step 0)."},
                {"name": "curve", "type": {"type": "array", "items": {
                  "type": "record", "name": "CurvePoint",
                  "doc": "One point of the learning curve.",
                  "fields": [
                    {"name": "step", "type": "long"},
                    {"name": "loss", "type": "double"},
                    {"name": "lossEma", "type": "double"}
                  ]}},
                 "doc": "Points of the learning curve since the previous record, at most 64, evenly thinned by step; the last step is always included."},
                {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "Wall-clock time the record was written."}
              ]
            }
            """;

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static Schema current(String file) throws IOException {
        return new Schema.Parser().parse(new File("schemas/" + file));
    }

    private static void assertCompatible(Schema reader, Schema writer, String what) {
        SchemaCompatibility.SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, c.getType(), what + ": " + c.getDescription());
    }

    @Test
    void recordsWrittenWithTheOldSchemasReadWithTheNewOnes() throws IOException {
        assertCompatible(current("TrainingMetric.avsc"), parse(TRAINING_METRIC_1), "new TrainingMetric reading old records");
        assertCompatible(current("TrainingProgress.avsc"), parse(TRAINING_PROGRESS_1), "new TrainingProgress reading old records");
        // the generated classes are what our serdes read with
        assertCompatible(TrainingMetric.getClassSchema(), parse(TRAINING_METRIC_1), "TrainingMetric class");
        assertCompatible(TrainingProgress.getClassSchema(), parse(TRAINING_PROGRESS_1), "TrainingProgress class");
    }

    @Test
    void readersStillOnTheOldSchemasReadTheNewRecords() throws IOException {
        assertCompatible(parse(TRAINING_METRIC_1), current("TrainingMetric.avsc"), "old TrainingMetric reading new records");
        assertCompatible(parse(TRAINING_PROGRESS_1), current("TrainingProgress.avsc"), "old TrainingProgress reading new records");
    }

    @Test
    void theSerdesKeepTheOldSchemasVerbatim() {
        assertEquals(java.util.List.of(parse(TRAINING_METRIC_1)), AvroSerde.previousVersions("TrainingMetric"));
        assertEquals(java.util.List.of(parse(TRAINING_PROGRESS_1)), AvroSerde.previousVersions("TrainingProgress"));
    }

    @Test
    void anOldMetricOnTheTopicDecodesThroughTheSerdeWithNoVerdict() throws IOException {
        Schema old = parse(TRAINING_METRIC_1);
        GenericRecord r = new GenericRecordBuilder(old).set("modelId", "lecture").set("step", 7L).set("loss", 0.25)
                .set("output", List.of(0.75, 0.77)).set("target", List.of(0.0, 1.0)).set("lossEma", 0.3).set("timestamp", 1_700_000_000_000L)
                .build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(r).array();
        TrainingMetric m = Serdes.TRAINING_METRIC.decode(bytes);
        assertEquals("lecture", m.getModelId());
        assertEquals(7L, m.getStep());
        assertEquals(List.of(0.0, 1.0), m.getTarget());
        assertNull(m.getCorrect(), "an old record has no verdict, even for a one-hot target");
    }

    @Test
    void anOldProgressRecordDecodesThroughTheSerdeWithNothingClassified() throws IOException {
        Schema old = parse(TRAINING_PROGRESS_1);
        Schema oldPoint = old.getField("curve").schema().getElementType();
        GenericRecord point = new GenericRecordBuilder(oldPoint).set("step", 5L).set("loss", 0.2).set("lossEma", 0.25).build();
        GenericRecord r = new GenericRecordBuilder(old).set("modelId", "m").set("step", 5L).set("loss", 0.2).set("lossEma", 0.25)
                .set("curve", List.of(point)).set("timestamp", 1_700_000_000_000L).build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(r).array();
        TrainingProgress p = Serdes.TRAINING_PROGRESS.decode(bytes);
        assertEquals(5L, p.getStep());
        assertEquals(0L, p.getClassified());
        assertEquals(0L, p.getCorrect());
        assertNull(p.getAccuracyEma());
        CurvePoint c = p.getCurve().get(0);
        assertEquals(0.25, c.getLossEma(), 0.0);
        assertNull(c.getAccuracyEma());
    }

    @Test
    void aNewProgressRecordReadsWithTheOldSchemaAsBefore() throws IOException {
        TrainingProgress p = new TrainingProgress("m", 9L, 0.1, 0.2, List.of(new CurvePoint(9L, 0.1, 0.2, 0.8)),
                java.time.Instant.ofEpochMilli(5), 9L, 7L, 0.8);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), parse(TRAINING_PROGRESS_1));
        oldReader.addSchema(current("TrainingProgress.avsc"));
        GenericRecord r = oldReader.decode(ByteBuffer.wrap(Serdes.TRAINING_PROGRESS.encode(p)));
        assertEquals(9L, r.get("step"));
        assertEquals(0.2, r.get("lossEma"));
        assertFalse(r.hasField("classified"), "the old schema has no such field");
    }
}
