package io.backpropstreams.avro;

import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.TrainingMetric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The hand-fed encoder writes exactly the bytes Avro's own writer writes for the same records. */
class OutputEncoderTest {

    private final OutputEncoder encoder = new OutputEncoder();

    @Test
    void metricsAreByteForByteWhatAvroWrites() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 500; i++) {
            double[] output = random(random, random.nextInt(0, 40));
            double[] target = random(random, random.nextInt(0, 40));
            String id = i % 7 == 0 ? "modèle-" + i : "m" + i;
            long step = random.nextLong(Long.MAX_VALUE) >> random.nextInt(63);
            double loss = i % 13 == 0 ? Double.NaN : random.nextDouble() * 10;
            long ts = random.nextLong(4_000_000_000_000L) - 1_000_000_000_000L;
            // each branch of the ["null","boolean"] union in turn
            Boolean correct = i % 3 == 0 ? null : i % 3 == 1;
            TrainingMetric m = new TrainingMetric(id, step, loss, SampleCodec.asList(output), SampleCodec.asList(target),
                    -loss, Instant.ofEpochMilli(ts), correct);
            assertArrayEquals(Serdes.TRAINING_METRIC.encode(m), encoder.trainingMetric(id, step, loss, output, target, -loss, ts, correct),
                    "record " + i);
        }
    }

    @Test
    void theVerdictIsTheLastFieldAsItsUnionBranchAndRoundTrips() {
        double[] output = {0.2, 0.7, 0.1};
        double[] target = {0, 1, 0};
        byte[] none = encoder.trainingMetric("m", 3, 0.5, output, target, 0.4, 1_700_000_000_000L, null);
        byte[] right = encoder.trainingMetric("m", 3, 0.5, output, target, 0.4, 1_700_000_000_000L, true);
        byte[] wrong = encoder.trainingMetric("m", 3, 0.5, output, target, 0.4, 1_700_000_000_000L, false);
        // null is branch 0 alone; a boolean is branch 1 (zig-zag 2) and one byte
        assertEquals(0, none[none.length - 1]);
        assertArrayEquals(new byte[] {2, 1}, java.util.Arrays.copyOfRange(right, right.length - 2, right.length));
        assertArrayEquals(new byte[] {2, 0}, java.util.Arrays.copyOfRange(wrong, wrong.length - 2, wrong.length));
        assertNull(Serdes.TRAINING_METRIC.decode(none).getCorrect());
        assertEquals(Boolean.TRUE, Serdes.TRAINING_METRIC.decode(right).getCorrect());
        assertEquals(Boolean.FALSE, Serdes.TRAINING_METRIC.decode(wrong).getCorrect());
    }

    @Test
    void weightsUpdatesAreByteForByteWhatAvroWrites() throws Exception {
        Network lecture = Lecture.network();
        for (int s = 0; s < 3; s++) {
            lecture.step(Lecture.INPUT, Lecture.TARGET);
        }
        String big = "{\"layers\":[784,128,10],\"activation\":\"sigmoid\",\"learningRate\":0.1,\"seed\":42}";
        String mixed = "{\"layers\":[3,5,4,2],\"activations\":[\"tanh\",\"relu\",\"sigmoid\"],\"learningRate\":0.1,\"seed\":5}";
        for (Network n : new Network[] {lecture, network(big), network(mixed)}) {
            for (String event : new String[] {"step", "create", "reset"}) {
                assertArrayEquals(Serdes.WEIGHTS_UPDATE.encode(WeightsUpdates.of("m-" + event, event, n, 3, 123_456_789L, 1_700_000_000_000L)),
                        encoder.weightsUpdate("m-" + event, event, n, 3, 123_456_789L, 1_700_000_000_000L), n.spec() + " " + event);
            }
        }
    }

    @Test
    void predictionsAreByteForByteWhatAvroWrites() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 500; i++) {
            double[] outputs = random(random, random.nextInt(0, 40));
            String id = i % 7 == 0 ? "modèle-" + i : "m" + i;
            String requestId = i % 3 == 0 ? null : i % 5 == 0 ? "" : "req-\"é\"-" + random.nextLong();
            Integer predictedClass = i % 2 == 0 ? null : random.nextInt(0, Integer.MAX_VALUE) >> random.nextInt(31);
            long step = random.nextLong(Long.MAX_VALUE) >> random.nextInt(63);
            int partition = random.nextInt(0, Integer.MAX_VALUE) >> random.nextInt(31);
            long offset = random.nextLong(Long.MAX_VALUE) >> random.nextInt(63);
            long ts = random.nextLong(4_000_000_000_000L) - 1_000_000_000_000L;
            io.backpropstreams.schema.Prediction p = new io.backpropstreams.schema.Prediction(id, requestId, step, SampleCodec.asList(outputs),
                    predictedClass, partition, offset, Instant.ofEpochMilli(ts));
            assertArrayEquals(Serdes.PREDICTION.encode(p), encoder.prediction(id, requestId, step, outputs,
                    predictedClass == null ? -1 : predictedClass, partition, offset, ts), "record " + i);
        }
    }

    private static Network network(String json) {
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(json));
        return new Network(d.spec(), d.parameters());
    }

    private static double[] random(SplittableRandom random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-300, 300));
        }
        return v;
    }
}
