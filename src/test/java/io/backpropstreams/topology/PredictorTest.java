package io.backpropstreams.topology;

import io.backpropstreams.avro.PredictRequestCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.Prediction;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The predictor on its own: what a prediction carries, and the class rule. */
class PredictorTest {

    @Test
    void aSigmoidModelsPredictionHasNoPredictedClass() {
        Network lecture = Lecture.network();
        assertFalse(lecture.spec().isClassifier(), "sigmoid outputs are not class probabilities");
        Predictor.Outcome o = new Predictor().answer("lecture", lecture, PredictRequestCodec.toAvro(Lecture.INPUT, "r1"), 2, 17L, 1234L);
        assertTrue(o.answered(), o.reason() + ": " + o.message());
        Prediction p = Serdes.PREDICTION.decode(o.prediction());
        assertNull(p.getPredictedClass());
        assertEquals("r1", p.getRequestId());
        assertEquals(2, p.getSourcePartition());
        assertEquals(17L, p.getSourceOffset());
        assertEquals(1234L, p.getTimestamp().toEpochMilli());
        assertEquals(0L, p.getStep());
    }

    @Test
    void aSoftmaxModelsPredictionCarriesTheArgmaxClassOfItsStandardisedInput() {
        io.backpropstreams.avro.ModelSpecs.Definition d = io.backpropstreams.avro.ModelSpecs.toDefinition(io.backpropstreams.avro.ModelSpecs.fromJson(
                "{\"layers\":[2,4,3],\"activations\":[\"tanh\",\"softmax\"],\"loss\":\"categorical-cross-entropy\","
                        + "\"learningRate\":0.05,\"optimizer\":\"adam\",\"standardizeInputs\":true,\"trainBiases\":true,\"seed\":9}"));
        Network net = new Network(d.spec(), d.parameters());
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int k = 0; k < 500; k++) {
            double x = r.nextDouble(0, 30);
            net.step(new double[] {x, 100 - x}, new double[] {x < 10 ? 1 : 0, x >= 10 && x < 20 ? 1 : 0, x >= 20 ? 1 : 0});
        }
        assertTrue(net.spec().isClassifier());
        double[] expected = new double[3];
        net.predict(new double[] {25, 75}, expected);
        Predictor.Outcome o = new Predictor().answer("cls", net, PredictRequestCodec.toAvro(new double[] {25, 75}, "q"), 0, 0L, 0L);
        Prediction p = Serdes.PREDICTION.decode(o.prediction());
        assertEquals(io.backpropstreams.nn.Classification.argmax(expected), p.getPredictedClass());
        assertEquals(2, p.getPredictedClass(), "the model learnt that 25 is class 2: " + p.getOutputs());
        assertEquals(1.0, p.getOutputs().stream().mapToDouble(Double::doubleValue).sum(), 1e-12, "class probabilities");
        assertEquals(500L, p.getStep());
    }

    @Test
    void aRequestIdLongerThan256CharactersIsRefused() {
        Network lecture = Lecture.network();
        Predictor.Outcome ok = new Predictor().answer("lecture", lecture, PredictRequestCodec.toAvro(Lecture.INPUT, "r".repeat(256)), 0, 0L, 0L);
        assertTrue(ok.answered());
        Predictor.Outcome o = new Predictor().answer("lecture", lecture, PredictRequestCodec.toJson(Lecture.INPUT, "r".repeat(257))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 0L, 0L);
        assertFalse(o.answered());
        assertEquals("invalid-request-id", o.reason());
        assertTrue(o.message().contains("257 characters"), o.message());
    }

    @Test
    void argmaxIsTheLowestIndexOfTheLargestValue() {
        assertEquals(0, io.backpropstreams.nn.Classification.argmax(new double[] {0.7}));
        assertEquals(2, io.backpropstreams.nn.Classification.argmax(new double[] {0.1, 0.2, 0.6, 0.1}));
        assertEquals(1, io.backpropstreams.nn.Classification.argmax(new double[] {0.1, 0.45, 0.45}), "a tie goes to the lower index");
        assertEquals(0, io.backpropstreams.nn.Classification.argmax(new double[] {-1e-300, -2, -1}));
    }

    @Test
    void answeringRejectsWithoutTouchingTheNetwork() {
        Network lecture = Lecture.network();
        double[] before = lecture.parameters();
        Predictor.Outcome o = new Predictor().answer("lecture", lecture, PredictRequestCodec.toAvro(new double[] {1, 2, 3}, null), 0, 0L, 0L);
        assertFalse(o.answered());
        assertEquals("wrong-input-length", o.reason());
        new Predictor().answer("lecture", lecture, PredictRequestCodec.toAvro(Lecture.INPUT, null), 0, 0L, 0L);
        assertEquals(0L, lecture.step());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, lecture.parameters());
    }
}
