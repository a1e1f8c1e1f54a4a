package io.backpropstreams.avro;

import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Loss;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkCodec;
import io.backpropstreams.nn.Optimizer;
import io.backpropstreams.nn.Schedule;
import io.backpropstreams.schema.ModelSpec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec fields of classification, adaptive optimizers, schedules, standardisation and drift, in JSON and Avro. */
class LearningSpecTest {

    static final String SOFTMAX_ADAM = "{\"layers\":[64,32,10],\"activations\":[\"relu\",\"softmax\"],"
            + "\"loss\":\"categorical-cross-entropy\",\"learningRate\":0.01,\"optimizer\":\"adam\",\"beta1\":0.8,\"beta2\":0.99,"
            + "\"epsilon\":1e-7,\"weightDecay\":0.001,\"clipNorm\":5,\"schedule\":{\"kind\":\"inverse-time\",\"decay\":0.001,\"every\":10},"
            + "\"standardizeInputs\":true,\"drift\":{\"detector\":\"adwin\",\"delta\":0.001,\"onDrift\":\"reset-optimizer\"},"
            + "\"trainBiases\":true,\"seed\":42}";

    @Test
    void everyNewFieldReachesTheNetworkSpecAndRoundTrips() {
        ModelSpec spec = ModelSpecs.fromJson(SOFTMAX_ADAM);
        ModelSpecs.Definition d = ModelSpecs.toDefinition(spec);
        assertEquals(List.of(Activation.RELU, Activation.SOFTMAX), d.spec().activations());
        assertEquals(Loss.CATEGORICAL_CROSS_ENTROPY, d.spec().loss());
        assertEquals(Optimizer.ADAM, d.spec().optimizer());
        assertEquals(0.8, d.spec().settings().beta1());
        assertEquals(0.99, d.spec().settings().beta2());
        assertEquals(1e-7, d.spec().settings().epsilon());
        assertEquals(0.001, d.spec().settings().weightDecay());
        assertEquals(5.0, d.spec().settings().clipNorm());
        assertEquals(new Schedule(Schedule.Kind.INVERSE_TIME, 0.001, 10), d.spec().schedule());
        assertTrue(d.spec().standardizeInputs());
        assertTrue(d.spec().isClassifier());
        assertEquals("adwin", d.drift().getDetector());
        assertEquals("reset-optimizer", d.drift().getOnDrift());
        assertEquals(0.001, d.drift().getSettings().get("delta"));
        assertEquals(spec, ModelSpecs.fromJson(ModelSpecs.toJson(spec)));
        assertEquals(spec, Serdes.MODEL_SPEC.decode(Serdes.MODEL_SPEC.encode(spec)));
        Network net = new Network(d.spec(), d.parameters());
        assertEquals(d.spec(), NetworkCodec.decode(NetworkCodec.encode(net)).spec());
    }

    @Test
    void omittedOptimizerConstantsTakeEachOptimizersPublishedDefaults() {
        ModelSpecs.Definition adam = definition("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"adam\"}");
        assertEquals(0.9, adam.spec().settings().beta1());
        assertEquals(0.999, adam.spec().settings().beta2());
        assertEquals(1e-8, adam.spec().settings().epsilon());
        ModelSpecs.Definition rms = definition("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"rmsprop\"}");
        assertEquals(0.99, rms.spec().settings().beta2());
        ModelSpecs.Definition adagrad = definition("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"adagrad\"}");
        assertEquals(1e-10, adagrad.spec().settings().epsilon());
        assertEquals(Schedule.CONSTANT, adagrad.spec().schedule());
        assertFalse(adagrad.spec().standardizeInputs());
        assertNull(adagrad.drift());
    }

    @Test
    void softmaxAnywhereButTheOutputOrWithAnotherLossIsAnInvalidSpec() {
        assertInvalid("{\"layers\":[2,3,2],\"activations\":[\"softmax\",\"softmax\"],\"loss\":\"categorical-cross-entropy\",\"learningRate\":0.1}",
                "softmax may only be the output layer's activation, but layer 1 of 2 has it");
        assertInvalid("{\"layers\":[2,3],\"activation\":\"softmax\",\"learningRate\":0.1}",
                "a softmax output needs \"loss\": \"categorical-cross-entropy\", got squared");
        assertInvalid("{\"layers\":[2,3],\"activation\":\"softmax\",\"loss\":\"cross-entropy\",\"learningRate\":0.1}",
                "cross-entropy needs a sigmoid output layer, got softmax");
        assertInvalid("{\"layers\":[2,3],\"activation\":\"sigmoid\",\"loss\":\"categorical-cross-entropy\",\"learningRate\":0.1}",
                "categorical-cross-entropy needs a softmax output layer, got sigmoid");
        assertInvalid("{\"layers\":[2,1],\"activation\":\"softmax\",\"loss\":\"cce\",\"learningRate\":0.1}",
                "a softmax output needs at least 2 classes, got 1");
    }

    @Test
    void badOptimizerScheduleAndDriftFieldsNameTheOffendingValue() {
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"adam\",\"beta1\":1.2}", "beta1 must be in [0, 1), got 1.2");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"adam\",\"beta2\":\"high\"}", "'beta2' must be a number, got \"high\"");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"clipNorm\":-1}", "clipNorm must be a finite number ≥ 0");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"optimizer\":\"lion\"}", "unknown optimizer 'lion'");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"schedule\":{\"kind\":\"cosine\"}}", "unknown schedule kind 'cosine'");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"schedule\":{\"kind\":\"step\",\"decay\":0.5,\"every\":0}}",
                "schedule 'every' must be at least 1, got 0");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"schedule\":{\"kind\":\"step\",\"rate\":2}}", "'schedule' has unknown field 'rate'");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"schedule\":\"step\"}", "'schedule' must be an object");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"drift\":{\"detector\":\"ddm\"}}", "unknown drift detector 'ddm'");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"drift\":{\"detector\":\"adwin\",\"onDrift\":\"panic\"}}", "unknown onDrift 'panic'");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"standardizeInputs\":\"yes\"}", "'standardizeInputs' must be true or false");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"updateRule\":\"sequential\",\"optimizer\":\"rmsprop\"}",
                "rmsprop needs updateRule simultaneous");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"drift\":{\"detector\":\"adwin\",\"maxBuckets\":2147483647}}",
                "drift maxBuckets must be in [1, 10000], got 2147483647");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"drift\":{\"detector\":\"adwin\",\"clock\":100000000}}",
                "drift clock must be at most 1000000");
        assertInvalid("{\"layers\":[2,2],\"learningRate\":0.1,\"drift\":{\"detector\":\"page-hinkley\",\"delta\":1e308}}",
                "drift delta and threshold must be at most 1e100");
    }

    /** Optimizer state, input statistics and a re-initialisation copy all count against the one-record limit. */
    @Test
    void aModelWhoseWholeStateWouldNotFitInOneRecordIsAnInvalidSpec() {
        assertInvalid("{\"layers\":[1999998,1],\"learningRate\":0.1,\"optimizer\":\"adam\",\"standardizeInputs\":true}",
                "keep 79,999,944 bytes of state; a model may keep at most 62,914,560");
        assertInvalid("{\"layers\":[999999,2],\"activation\":\"softmax\",\"loss\":\"cce\",\"learningRate\":0.1,"
                + "\"optimizer\":\"adam\",\"drift\":{\"detector\":\"adwin\",\"onDrift\":\"reinitialize\"}}", "onDrift reinitialize keep");
        ModelSpecs.toDefinition(ModelSpecs.fromJson("{\"layers\":[1999998,1],\"learningRate\":0.1,\"optimizer\":\"momentum\",\"momentum\":0.5}"));
    }

    /** Every field added since has a default: a reader with today's schema resolves records written with the old one. */
    @Test
    void modelSpecsWrittenWithThePreviousSchemaStillDecode() throws IOException {
        List<Schema> previous = AvroSerde.previousVersions("ModelSpec");
        assertEquals(1, previous.size());
        Schema old = previous.get(0);
        Schema current = new Schema.Parser().parse(new File("schemas/ModelSpec.avsc"));
        assertEquals(org.apache.avro.SchemaNormalization.parsingFingerprint64(current),
                org.apache.avro.SchemaNormalization.parsingFingerprint64(ModelSpec.getClassSchema()), "schemas/ is what the classes were made from");
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType());
        GenericRecord r = new GenericData.Record(old);
        r.put("layers", List.of(2, 2, 2));
        r.put("activations", List.of("sigmoid"));
        r.put("loss", "squared");
        r.put("learningRate", 0.5);
        r.put("updateRule", "simultaneous");
        r.put("trainBiases", false);
        r.put("init", "lecture");
        r.put("seed", 0L);
        r.put("publishEvery", 1);
        r.put("optimizer", "momentum");
        r.put("momentum", 0.9);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(r).array();
        ModelSpec decoded = ModelSpecs.decode(written);
        assertEquals("momentum", decoded.getOptimizer());
        assertNull(decoded.getSchedule());
        assertNull(decoded.getDrift());
        assertFalse(decoded.getStandardizeInputs());
        ModelSpecs.Definition d = ModelSpecs.toDefinition(decoded);
        assertArrayEquals(io.backpropstreams.nn.Lecture.initialParameters(), d.parameters());
        assertEquals(0.9, d.spec().momentum());
    }

    private static ModelSpecs.Definition definition(String json) {
        return ModelSpecs.toDefinition(ModelSpecs.fromJson(json));
    }

    private static void assertInvalid(String json, String expected) {
        DecodingException e = assertThrows(DecodingException.class, () -> ModelSpecs.fromJson(json));
        assertEquals("invalid-spec", e.reason());
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }
}
