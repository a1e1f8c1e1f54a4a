package io.backpropstreams.avro;

import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Optimizer;
import io.backpropstreams.schema.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSpecsTest {

    @Test
    void jsonFormRoundTripsAndBuildsTheDescribedNetwork() {
        String json = "{\"layers\":[2,2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"updateRule\":\"sequential\","
                + "\"trainBiases\":false,\"weights\":[[0.15,0.2,0.25,0.3],[0.4,0.45,0.5,0.55]],\"biases\":[[0.35,0.35],[0.6,0.6]],"
                + "\"seed\":42,\"publishEvery\":1}";
        ModelSpec spec = ModelSpecs.fromJson(json);
        assertEquals("explicit", spec.getInit());
        ModelSpecs.Definition d = ModelSpecs.toDefinition(spec);
        assertArrayEquals(io.backpropstreams.nn.Lecture.initialParameters(), d.parameters());
        assertEquals("sequential", d.spec().updateRule().id());
        assertEquals(spec, ModelSpecs.fromJson(ModelSpecs.toJson(spec)));
    }

    @Test
    void perLayerActivationsMomentumAndHeInit() {
        ModelSpec spec = ModelSpecs.fromJson("{\"layers\":[4,8,3],\"activations\":[\"relu\",\"linear\"],\"learningRate\":0.01,"
                + "\"optimizer\":\"momentum\",\"momentum\":0.9,\"init\":\"he\",\"seed\":3}");
        ModelSpecs.Definition d = ModelSpecs.toDefinition(spec);
        assertEquals(List.of(Activation.RELU, Activation.LINEAR), d.spec().activations());
        assertEquals(Optimizer.MOMENTUM, d.spec().optimizer());
        assertArrayEquals(d.parameters(), ModelSpecs.toDefinition(spec).parameters(), "same seed, same weights");
    }

    @Test
    void invalidSpecsNameTheOffendingValue() {
        assertMessage("{\"layers\":[2,0,2],\"learningRate\":0.5}", "layer 1 has 0 neurons");
        assertMessage("{\"layers\":[2,2],\"learningRate\":-0.5}", "-0.5");
        assertMessage("{\"layers\":[2,2]}", "learningRate");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"activation\":\"swish\"}", "swish");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"colour\":1}", "colour");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"weights\":[[1,2,3]]}", "3 values");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"publishEvery\":0}", "publishEvery");
        assertMessage("{\"layers\":[3,2],\"learningRate\":0.5,\"init\":\"lecture\"}", "[2,2,2]");
        assertMessage("not json", "not valid JSON");
    }

    /** What a hostile tester sent: each is invalid-spec, with no allocation and no wrapped-around arithmetic. */
    @Test
    void hostileSpecsAreInvalidBeforeAnythingIsAllocated() {
        String hundredThousandLayers = "{\"layers\":[" + String.join(",", java.util.Collections.nCopies(100_000, "1"))
                + "],\"learningRate\":0.5}";
        assertMessage(hundredThousandLayers, "'layers' has 100000 entries; a model may have at most 64 layers");
        assertMessage("{\"layers\":[2147483647,2147483647],\"learningRate\":0.5}", "make 4,611,686,016,279,904,256 parameters");
        assertMessage("{\"layers\":[2,99999999999999999999,1],\"learningRate\":0.5}", "'layers' entry 99999999999999999999 is out of range");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"seed\":\"x\"}", "'seed' must be a whole number");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"seed\":1.5}", "'seed' must be a whole number");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"momentum\":\"high\"}", "'momentum' must be a number");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"activations\":[1]}", "'activations' must hold names");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"publishEvery\":99999999999}", "publishEvery");
        assertMessage("{\"layers\":[2,2],\"learningRate\":0.5,\"layers\":[9,9]}", "Duplicate field 'layers'");
    }

    @Test
    void avroWithTrailingBytesIsUndecodable() {
        byte[] spec = Serdes.MODEL_SPEC.encode(ModelSpecs.lecture());
        byte[] padded = java.util.Arrays.copyOf(spec, spec.length + 7);
        DecodingException e = assertThrows(DecodingException.class, () -> ModelSpecs.decode(padded));
        assertEquals("undecodable-avro", e.reason());
        assertTrue(e.getMessage().contains("followed by trailing bytes"), e.getMessage());
    }

    private static void assertMessage(String json, String fragment) {
        DecodingException e = assertThrows(DecodingException.class, () -> ModelSpecs.fromJson(json));
        assertEquals("invalid-spec", e.reason());
        assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should mention " + fragment);
    }
}
