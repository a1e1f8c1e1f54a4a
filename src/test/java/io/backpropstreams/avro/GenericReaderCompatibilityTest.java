package io.backpropstreams.avro;

import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.WeightsUpdate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Anyone with the .avsc files and any Avro library can read what the trainer writes, without a registry. */
class GenericReaderCompatibilityTest {

    static Schema schema(String file) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        if (file.equals("WeightsUpdate.avsc")) {
            return parser.parse(new File("schemas/" + file));
        }
        return parser.parse(new File("schemas/" + file));
    }

    static GenericRecord readGeneric(String avsc, byte[] bytes) throws IOException {
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), schema(avsc));
        return decoder.decode(ByteBuffer.wrap(bytes));
    }

    @Test
    void sampleWrittenByOurSerdeDecodesWithTheGenericReader() throws IOException {
        GenericRecord r = readGeneric("Sample.avsc", SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        assertEquals(List.of(0.05, 0.10), r.get("input"));
        assertEquals(List.of(0.01, 0.99), r.get("target"));
    }

    @Test
    void weightsUpdateDecodesWithTheGenericReader() throws IOException {
        Network n = Lecture.network();
        n.step(Lecture.INPUT, Lecture.TARGET);
        WeightsUpdate u = WeightsUpdates.of("lecture", "step", n, 3, 42L, 1_700_000_000_000L);
        GenericRecord r = readGeneric("WeightsUpdate.avsc", Serdes.WEIGHTS_UPDATE.encode(u));
        assertEquals("lecture", r.get("modelId").toString());
        assertEquals(1L, r.get("step"));
        assertEquals(42L, r.get("sourceOffset"));
        GenericRecord layer2 = (GenericRecord) ((List<?>) r.get("layers")).get(1);
        assertEquals(n.weights(2)[0], ((List<?>) layer2.get("weights")).get(0));
        assertEquals(1_700_000_000_000L, r.get("timestamp"));
    }

    @Test
    void trainingMetricAndModelSpecDecodeWithTheGenericReader() throws IOException {
        TrainingMetric m = TrainingMetric.newBuilder().setModelId("m").setStep(7).setLoss(0.25).setOutput(List.of(0.5))
                .setTarget(List.of(1.0)).setLossEma(0.3).setTimestamp(Instant.ofEpochMilli(5)).build();
        GenericRecord r = readGeneric("TrainingMetric.avsc", Serdes.TRAINING_METRIC.encode(m));
        assertEquals(0.25, r.get("loss"));
        assertEquals(7L, r.get("step"));
        GenericRecord spec = readGeneric("ModelSpec.avsc", Serdes.MODEL_SPEC.encode(ModelSpecs.lecture()));
        assertEquals("lecture", spec.get("init").toString());
        assertEquals(List.of(2, 2, 2), spec.get("layers"));
    }
}
