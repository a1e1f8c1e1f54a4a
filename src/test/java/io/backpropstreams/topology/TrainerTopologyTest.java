package io.backpropstreams.topology;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.avro.WeightsUpdates;
import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Initializers;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Loss;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.Optimizer;
import io.backpropstreams.nn.UpdateRule;
import io.backpropstreams.schema.CurvePoint;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.TrainingProgress;
import io.backpropstreams.schema.WeightsUpdate;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTopologyTest {

    /** The lecture's hand-worked w1⁺..w8⁺ (simultaneous rule, full precision). */
    static final double[] LECTURE_W_AFTER_1 = {
        0.1497807161327628, 0.19956143226552567, 0.24975114363236958, 0.29950228726473915,
        0.35891647971788465, 0.4086661860762334, 0.5113012702387375, 0.5613701211079891,
    };

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> samples;
    TestInputTopic<String, byte[]> models;
    TestOutputTopic<String, WeightsUpdate> weights;
    TestOutputTopic<String, TrainingMetric> metrics;
    TestOutputTopic<byte[], byte[]> deadLetters;
    TestOutputTopic<String, TrainingProgress> progress;

    @BeforeEach
    void start() {
        Properties props = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainerTopology.build(TopicNames.DEFAULTS, 1), props);
        samples = driver.createInputTopic("samples", new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic("models", new StringSerializer(), new ByteArraySerializer());
        weights = driver.createOutputTopic("weights", new StringDeserializer(), Serdes.WEIGHTS_UPDATE.deserializer());
        metrics = driver.createOutputTopic("metrics", new StringDeserializer(), Serdes.TRAINING_METRIC.deserializer());
        deadLetters = driver.createOutputTopic("dead-letters", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        progress = driver.createOutputTopic("training-progress", new StringDeserializer(), Serdes.TRAINING_PROGRESS.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    KeyValueStore<String, ModelState> store() {
        return driver.getKeyValueStore(TrainerTopology.STORE);
    }

    static byte[] json(double[] input, double[] target) {
        return SampleCodec.toJson(input, target).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void progressIsOneRecordPerModelPerIntervalWithTheLastStepAndAThinnedCurve() {
        String spec = "{\"layers\":[2,2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":3}";
        models.pipeInput("xor", utf8(spec));
        TrainingProgress created = progress.readValue();
        assertEquals("xor", created.getModelId());
        assertEquals(0, created.getStep(), "a created model starts its history at step 0");
        assertTrue(progress.isEmpty());

        for (int i = 0; i < 1_000; i++) {
            samples.pipeInput("lecture", json(Lecture.INPUT, Lecture.TARGET));
            samples.pipeInput("xor", json(new double[] {i % 2, 1}, new double[] {1 - i % 2, i % 2}));
        }
        assertTrue(progress.isEmpty(), "nothing before the interval has passed");
        driver.advanceWallClockTime(TrainerTopology.PROGRESS_INTERVAL);

        List<TrainingMetric> ms = metrics.readValuesToList();
        TrainingMetric lastLecture = ms.get(ms.size() - 2);
        TrainingMetric lastXor = ms.get(ms.size() - 1);
        java.util.Map<String, TrainingProgress> byModel = new java.util.HashMap<>();
        for (TrainingProgress p : progress.readValuesToList()) {
            assertNull(byModel.put(p.getModelId(), p), "one record per model per interval");
        }
        assertEquals(java.util.Set.of("lecture", "xor"), byModel.keySet());
        for (TrainingMetric last : List.of(lastLecture, lastXor)) {
            TrainingProgress p = byModel.get(last.getModelId());
            assertEquals(1_000, p.getStep());
            assertEquals(Double.doubleToLongBits(last.getLoss()), Double.doubleToLongBits(p.getLoss()), "the last step's loss");
            assertEquals(Double.doubleToLongBits(last.getLossEma()), Double.doubleToLongBits(p.getLossEma()));
            List<CurvePoint> curve = p.getCurve();
            assertTrue(curve.size() <= 64 + 1 && curve.size() >= 32, "thinned, not one point per step: " + curve.size());
            assertEquals(1, curve.get(0).getStep(), "the curve starts at step 1");
            assertEquals(1_000, curve.get(curve.size() - 1).getStep(), "and ends at the last step");
            for (CurvePoint c : curve) {
                TrainingMetric m = ms.stream().filter(x -> x.getModelId().equals(p.getModelId()) && x.getStep() == c.getStep()).findFirst().orElseThrow();
                assertEquals(m.getLoss(), c.getLoss(), 0.0, "curve point of step " + c.getStep() + " is that step's metric");
            }
        }

        driver.advanceWallClockTime(TrainerTopology.PROGRESS_INTERVAL);
        assertTrue(progress.isEmpty(), "no record for models that did not train");
        models.pipeInput("xor", (byte[]) null);
        TestRecord<String, TrainingProgress> tombstone = progress.readRecord();
        assertEquals("xor", tombstone.key());
        assertNull(tombstone.value(), "a deleted model leaves the compacted progress topic");
    }

    @Test
    void aOneHotModelsMetricsCarryTheVerdictBeforeTheUpdateAndTheStoreAndProgressCountThem() {
        String spec = "{\"layers\":[2,3,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":3}";
        models.pipeInput("clf", utf8(spec));
        progress.readValuesToList();
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec));
        Network core = new Network(d.spec(), d.parameters());
        double[] out = new double[2];
        SplittableRandom r = new SplittableRandom(5);
        java.util.List<Boolean> verdicts = new java.util.ArrayList<>();
        long classified = 0;
        long correct = 0;
        double ema = Double.NaN;
        for (int i = 0; i < 300; i++) {
            double[] x = {r.nextDouble(), r.nextDouble()};
            // every tenth sample has a soft target: trained on, but not scored
            double[] t = i % 10 == 9 ? new double[] {0.2, 0.8} : x[0] > x[1] ? new double[] {0, 1} : new double[] {1, 0};
            core.step(x, t);
            core.copyOutput(out);
            Boolean v = null;
            if (i % 10 != 9) {
                int predicted = out[1] > out[0] ? 1 : 0; // argmax, the first index on a tie
                v = predicted == (t[1] == 1.0 ? 1 : 0);
                classified++;
                correct += v ? 1 : 0;
                double verdict = v ? 1.0 : 0.0;
                ema = Double.isNaN(ema) ? verdict : ema + ModelState.EMA_ALPHA * (verdict - ema);
            }
            verdicts.add(v);
            samples.pipeInput("clf", json(x, t));
        }
        samples.pipeInput("lecture", json(Lecture.INPUT, Lecture.TARGET));

        List<TrainingMetric> ms = metrics.readValuesToList();
        assertEquals(301, ms.size());
        for (int i = 0; i < 300; i++) {
            assertEquals(verdicts.get(i), ms.get(i).getCorrect(), "verdict of step " + (i + 1));
        }
        assertNull(ms.get(300).getCorrect(), "the lecture's soft target gets no verdict");
        assertEquals(270, classified);
        assertTrue(correct > 0 && correct < classified, "both verdicts occur: " + correct + " of " + classified);

        ModelState s = store().get("clf");
        assertEquals(classified, s.classified());
        assertEquals(correct, s.correct());
        assertEquals(Double.doubleToLongBits(ema), Double.doubleToLongBits(s.accuracyEma()), "accuracy EMA bit for bit");
        assertEquals(0, store().get("lecture").classified());
        assertTrue(Double.isNaN(store().get("lecture").accuracyEma()));

        driver.advanceWallClockTime(TrainerTopology.PROGRESS_INTERVAL);
        java.util.Map<String, TrainingProgress> byModel = new java.util.HashMap<>();
        progress.readValuesToList().forEach(p -> byModel.put(p.getModelId(), p));
        TrainingProgress p = byModel.get("clf");
        assertEquals(classified, p.getClassified());
        assertEquals(correct, p.getCorrect());
        assertEquals(ema, p.getAccuracyEma(), 0.0);
        CurvePoint last = p.getCurve().get(p.getCurve().size() - 1);
        assertEquals(300, last.getStep());
        assertEquals(ema, last.getAccuracyEma(), 0.0, "the last curve point carries the accuracy EMA");
        assertEquals(verdicts.get(0) ? 1.0 : 0.0, p.getCurve().get(0).getAccuracyEma(), 0.0, "seeded with the first verdict");
        TrainingProgress lecture = byModel.get("lecture");
        assertEquals(0, lecture.getClassified());
        assertNull(lecture.getAccuracyEma());
        assertNull(lecture.getCurve().get(0).getAccuracyEma());

        // a reset starts the counts again
        models.pipeInput("clf", utf8(spec));
        assertEquals(0, store().get("clf").classified());
        TrainingProgress started = progress.readValue();
        assertEquals(0, started.getClassified());
        assertNull(started.getAccuracyEma());
    }

    @Test
    void lectureSamplePipedIn10000TimesTrainsBitForBitLikeTheCore() {
        Network core = Lecture.network();
        double[] coreLoss = new double[10_000];
        for (int i = 0; i < 10_000; i++) {
            coreLoss[i] = core.step(Lecture.INPUT, Lecture.TARGET);
            // alternate encodings: both must train identically
            samples.pipeInput("lecture", i % 2 == 0 ? json(Lecture.INPUT, Lecture.TARGET) : SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        }

        ModelState state = store().get("lecture");
        assertEquals(10_000, state.network().step());
        assertArrayEquals(core.parameters(), state.network().parameters(), "parameters must be bit-identical");

        List<TrainingMetric> ms = metrics.readValuesToList();
        assertEquals(10_000, ms.size());
        assertEquals(0.298371109, ms.get(0).getLoss(), 1e-9);
        for (int i = 0; i < ms.size(); i++) {
            assertEquals(i + 1, ms.get(i).getStep());
            assertEquals(Double.doubleToLongBits(coreLoss[i]), Double.doubleToLongBits(ms.get(i).getLoss()), "loss of step " + (i + 1));
        }
        assertEquals(ms.get(0).getLoss(), ms.get(0).getLossEma());

        List<WeightsUpdate> ws = weights.readValuesToList();
        assertEquals(10_001, ws.size(), "one create event plus one update per step (publishEvery 1)");
        assertEquals("create", ws.get(0).getEvent());
        assertEquals(0, ws.get(0).getStep());
        assertArrayEquals(Lecture.initialParameters(), WeightsUpdates.parameters(ws.get(0)));
        WeightsUpdate first = ws.get(1);
        assertEquals(1, first.getStep());
        double[] p1 = WeightsUpdates.parameters(first);
        double[] w1to8 = {p1[0], p1[1], p1[2], p1[3], p1[6], p1[7], p1[8], p1[9]};
        for (int k = 0; k < 8; k++) {
            assertEquals(LECTURE_W_AFTER_1[k], w1to8[k], 1e-12 * Math.abs(LECTURE_W_AFTER_1[k]), "w" + (k + 1) + "⁺");
        }
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(ws.get(10_000)));
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void twoInterleavedModelsEndExactlyAsIfEachWereTrainedAlone() {
        String spec = "{\"layers\":[3,5,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.3,\"trainBiases\":true,\"seed\":7}";
        models.pipeInput("a", utf8(spec));
        models.pipeInput("b", utf8(spec.replace("\"seed\":7", "\"seed\":8")));
        ModelSpecs.Definition da = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec));
        ModelSpecs.Definition db = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec.replace("\"seed\":7", "\"seed\":8")));
        Network alone = new Network(da.spec(), da.parameters());
        Network aloneB = new Network(db.spec(), db.parameters());
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 500; i++) {
            double[] in = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
            double[] t = {r.nextDouble(), r.nextDouble()};
            String key = r.nextBoolean() ? "a" : "b";
            (key.equals("a") ? alone : aloneB).step(in, t);
            samples.pipeInput(key, json(in, t));
        }
        assertArrayEquals(alone.parameters(), store().get("a").network().parameters());
        assertArrayEquals(aloneB.parameters(), store().get("b").network().parameters());
        assertEquals(alone.step() + aloneB.step(), 500);
        assertEquals(alone.step(), store().get("a").network().step());
    }

    @Test
    void explicitTanhSigmoidModelTrainsToTheSameParametersAsTheCore() {
        String spec = "{\"layers\":[3,4,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.25,"
                + "\"updateRule\":\"simultaneous\",\"trainBiases\":true,\"publishEvery\":10,"
                + "\"weights\":[[0.1,-0.2,0.3,0.4,-0.5,0.6,0.7,-0.8,0.9,0.05,0.15,-0.25],[0.2,0.1,-0.3,0.4,-0.1,0.5,0.3,-0.2]],"
                + "\"biases\":[[0.01,0.02,0.03,0.04],[-0.1,0.1]]}";
        models.pipeInput("m1", utf8(spec));
        NetworkSpec ns = new NetworkSpec(List.of(3, 4, 2), List.of(Activation.TANH, Activation.SIGMOID), Loss.SQUARED_ERROR,
                0.25, UpdateRule.SIMULTANEOUS, true, Optimizer.SGD, 0.0);
        Network core = new Network(ns, Initializers.explicit(ns,
                List.of(new double[] {0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 0.05, 0.15, -0.25},
                        new double[] {0.2, 0.1, -0.3, 0.4, -0.1, 0.5, 0.3, -0.2}),
                List.of(new double[] {0.01, 0.02, 0.03, 0.04}, new double[] {-0.1, 0.1})));
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            double[] in = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
            double[] t = {r.nextDouble(), r.nextDouble()};
            core.step(in, t);
            samples.pipeInput("m1", SampleCodec.toAvro(in, t));
        }
        assertArrayEquals(core.parameters(), store().get("m1").network().parameters());
        List<WeightsUpdate> ws = weights.readValuesToList();
        assertEquals(1 + 10, ws.size(), "create + every 10th of 100 steps");
        assertEquals("create", ws.get(0).getEvent());
        assertEquals(100, ws.get(10).getStep());
        assertArrayEquals(core.parameters(), WeightsUpdates.parameters(ws.get(10)));
        assertEquals(100, metrics.readValuesToList().size());
    }

    @Test
    void resetRestartsFromTheSpecAndDeleteForgetsTheModel() {
        String spec = "{\"layers\":[2,3,1],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":42}";
        models.pipeInput("m", utf8(spec));
        for (int i = 0; i < 5; i++) {
            samples.pipeInput("m", json(new double[] {0.1 * i, 0.2}, new double[] {0.7}));
        }
        assertEquals(5, store().get("m").network().step());

        models.pipeInput("m", utf8(spec));
        ModelState reset = store().get("m");
        assertEquals(0, reset.network().step());
        assertArrayEquals(ModelSpecs.toDefinition(ModelSpecs.fromJson(spec)).parameters(), reset.network().parameters());
        List<WeightsUpdate> ws = weights.readValuesToList();
        assertEquals("create", ws.get(0).getEvent());
        assertEquals("reset", ws.get(ws.size() - 1).getEvent());
        assertEquals(0, ws.get(ws.size() - 1).getStep());

        samples.pipeInput("m", json(new double[] {0.1, 0.2}, new double[] {0.7}));
        assertEquals(1, store().get("m").network().step());
        metrics.readValuesToList();

        models.pipeInput("m", (byte[]) null);
        assertNull(store().get("m"));
        TestRecord<String, WeightsUpdate> tombstone = weights.readRecordsToList().get(1);
        assertEquals("m", tombstone.key());
        assertNull(tombstone.value(), "delete publishes a tombstone on weights");

        samples.pipeInput("m", json(new double[] {0.1, 0.2}, new double[] {0.7}));
        assertEquals("unknown-model", DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.REASON));
        assertTrue(metrics.isEmpty());
    }

    @Test
    void lectureCanBeResetThroughItsBuiltInSpec() {
        samples.pipeInput("lecture", json(Lecture.INPUT, Lecture.TARGET));
        models.pipeInput("lecture", Serdes.MODEL_SPEC.encode(ModelSpecs.lecture()));
        ModelState s = store().get("lecture");
        assertEquals(0, s.network().step());
        assertArrayEquals(Lecture.initialParameters(), s.network().parameters());
    }

    @Test
    void everyKindOfBadInputIsDeadLetteredWithItsReasonAndLeavesTheModelUnchanged() {
        models.pipeInput("m", utf8("{\"layers\":[2,2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":1}"));
        samples.pipeInput("m", json(Lecture.INPUT, Lecture.TARGET));
        samples.pipeInput("huge", utf8("x"));
        deadLetters.readRecordsToList();
        models.pipeInput("huge", utf8("{\"layers\":[2,2],\"activation\":\"linear\",\"learningRate\":1e308,\"init\":\"explicit\","
                + "\"weights\":[[1e300,1e300,1e300,1e300]]}"));
        deadLetters.readRecordsToList();
        ModelState huge = store().get("huge");
        byte[] hugeBefore = ModelStateSerde.encode(huge);
        byte[] before = ModelStateSerde.encode(store().get("m"));
        metrics.readValuesToList();
        weights.readValuesToList();

        byte[] avro = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
        byte[] truncated = java.util.Arrays.copyOf(avro, avro.length - 5);
        byte[] foreign = avro.clone();
        foreign[3] ^= 0x55;
        record Bad(String topic, String key, byte[] value, String reason) {
        }
        List<Bad> bad = List.of(
                new Bad("samples", "m", utf8("{not json"), "malformed-json"),
                new Bad("samples", "m", utf8("[1,2]"), "wrong-json-shape"),
                new Bad("samples", "m", utf8("{\"input\":[0.1,0.2]}"), "wrong-json-shape"),
                new Bad("samples", "m", truncated, "undecodable-avro"),
                new Bad("samples", "m", foreign, "unknown-schema"),
                new Bad("samples", "m", new byte[0], "empty-value"),
                new Bad("samples", "m", json(new double[] {0.1, 0.2, 0.3}, Lecture.TARGET), "wrong-input-length"),
                new Bad("samples", "m", json(Lecture.INPUT, new double[] {0.5}), "wrong-target-length"),
                new Bad("samples", "m", json(new double[0], Lecture.TARGET), "empty-vector"),
                new Bad("samples", "m", utf8("{\"input\":[NaN,0.1],\"target\":[0.01,0.99]}"), "non-finite-value"),
                new Bad("samples", "m", utf8("{\"input\":[0.1,0.1],\"target\":[1e999,0.99]}"), "non-finite-value"),
                new Bad("samples", null, json(Lecture.INPUT, Lecture.TARGET), "missing-key"),
                new Bad("samples", "nobody", json(Lecture.INPUT, Lecture.TARGET), "unknown-model"),
                new Bad("models", "m", utf8("{\"layers\":[2,0,2],\"learningRate\":0.5}"), "invalid-spec"),
                new Bad("models", "m", utf8("{\"layers\":[2,2],\"learningRate\":-0.5}"), "invalid-spec"),
                new Bad("samples", "huge", json(new double[] {1e300, 1e300}, new double[] {-1e300, 1e300}), "non-finite-step"));
        long offset = 0;
        for (Bad b : bad) {
            (b.topic().equals("models") ? models : samples).pipeInput(b.key(), b.value());
            TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
            assertEquals(b.reason(), DeadLetters.header(dl.headers(), DeadLetters.REASON), "reason for " + b);
            assertEquals(b.topic(), DeadLetters.header(dl.headers(), DeadLetters.TOPIC));
            assertNotNull(DeadLetters.header(dl.headers(), DeadLetters.OFFSET));
            assertNotNull(DeadLetters.header(dl.headers(), DeadLetters.MESSAGE));
            assertArrayEquals(b.value(), dl.value(), "original bytes are kept");
            assertArrayEquals(b.key() == null ? null : utf8(b.key()), dl.key(), "original key is kept");
            assertTrue(deadLetters.isEmpty(), "exactly one dead letter for " + b);
            offset++;
        }
        assertEquals(bad.size(), offset);
        assertArrayEquals(before, ModelStateSerde.encode(store().get("m")), "model m unchanged");
        assertArrayEquals(hugeBefore, ModelStateSerde.encode(store().get("huge")), "model huge unchanged");
        assertTrue(metrics.isEmpty(), "no metric for a rejected record");
        assertTrue(weights.isEmpty(), "no weights for a rejected record");
        assertNull(store().get("nobody"));

        samples.pipeInput("m", json(Lecture.INPUT, Lecture.TARGET));
        assertEquals(2, store().get("m").network().step(), "training continues after bad input");
    }

    @Test
    void messageOfAWrongLengthNamesTheNumbersAndTheModel() {
        models.pipeInput("m1", utf8("{\"layers\":[2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5}"));
        samples.pipeInput("m1", json(new double[] {1, 2, 3}, new double[] {1, 0}));
        String msg = DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.MESSAGE);
        assertEquals("input has 3 values, model 'm1' expects 2", msg);
    }
}
