package io.backpropstreams.topology;

import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.PredictRequestCodec;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.schema.Prediction;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Predict requests through the trainer topology: one prediction per request, computed on the model
 * as trained so far (bit for bit the in-process core's forward pass after the same samples), which
 * the request leaves exactly as it was; and every bad request dead-lettered with its reason.
 */
class PredictRequestsTest {

    static final String SPEC = "{\"layers\":[3,4,2],\"activations\":[\"tanh\",\"sigmoid\"],\"learningRate\":0.3,\"trainBiases\":true,\"seed\":7}";

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> samples;
    TestInputTopic<String, byte[]> models;
    TestInputTopic<String, byte[]> requests;
    TestOutputTopic<String, Prediction> predictions;
    TestOutputTopic<String, TrainingMetric> metrics;
    TestOutputTopic<String, WeightsUpdate> weights;
    TestOutputTopic<String, TrainingProgress> progress;
    TestOutputTopic<byte[], byte[]> deadLetters;

    void start(int partitions) {
        Properties props = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TrainerTopology.build(TopicNames.DEFAULTS, partitions), props);
        samples = driver.createInputTopic("samples", new StringSerializer(), new ByteArraySerializer());
        models = driver.createInputTopic("models", new StringSerializer(), new ByteArraySerializer());
        requests = driver.createInputTopic("predict-requests", new StringSerializer(), new ByteArraySerializer(),
                Instant.ofEpochMilli(1_700_000_000_000L), java.time.Duration.ofMillis(1));
        predictions = driver.createOutputTopic("predictions", new StringDeserializer(), Serdes.PREDICTION.deserializer());
        metrics = driver.createOutputTopic("metrics", new StringDeserializer(), Serdes.TRAINING_METRIC.deserializer());
        weights = driver.createOutputTopic("weights", new StringDeserializer(), Serdes.WEIGHTS_UPDATE.deserializer());
        progress = driver.createOutputTopic("training-progress", new StringDeserializer(), Serdes.TRAINING_PROGRESS.deserializer());
        deadLetters = driver.createOutputTopic("dead-letters", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    KeyValueStore<String, ModelState> store() {
        return driver.getKeyValueStore(TrainerTopology.STORE);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Network network(String spec) {
        ModelSpecs.Definition d = ModelSpecs.toDefinition(ModelSpecs.fromJson(spec));
        return new Network(d.spec(), d.parameters());
    }

    static double[] predict(Network n, double[] input) {
        double[] out = new double[n.spec().outputSize()];
        n.predict(input, out);
        return out;
    }

    static double[] outputs(Prediction p) {
        return p.getOutputs().stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void eachRequestGetsOnePredictionOnTheModelAsTrainedSoFarWithItsStepAndRequestId() {
        start(1);
        models.pipeInput("m", utf8(SPEC));
        Network core = network(SPEC);
        SplittableRandom r = new SplittableRandom(5);
        int asked = 0;
        for (int i = 0; i < 300; i++) {
            double[] in = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
            double[] t = {r.nextDouble(), r.nextDouble()};
            core.step(in, t);
            samples.pipeInput("m", i % 2 == 0 ? SampleCodec.toJson(in, t).getBytes(StandardCharsets.UTF_8) : SampleCodec.toAvro(in, t));
            if (i % 10 == 9) {
                double[] q = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
                String id = "req-" + i;
                // alternate encodings, and a request without an id now and then
                boolean json = asked % 2 == 0;
                String requestId = asked % 5 == 4 ? null : id;
                requests.pipeInput("m", json ? utf8(PredictRequestCodec.toJson(q, requestId)) : PredictRequestCodec.toAvro(q, requestId));
                TestRecord<String, Prediction> rec = predictions.readRecord();
                Prediction p = rec.value();
                assertEquals("m", rec.key());
                assertEquals("m", p.getModelId());
                assertEquals(requestId, p.getRequestId(), "the request id is echoed");
                assertEquals(i + 1, p.getStep(), "the step the model had reached");
                assertArrayEquals(predict(core, q), outputs(p), "bit for bit the core's forward pass after the same " + (i + 1) + " samples");
                assertNull(p.getPredictedClass(), "a sigmoid model has no class");
                assertEquals(0, p.getSourcePartition());
                assertEquals(asked, p.getSourceOffset(), "its offset on predict-requests");
                assertEquals(rec.timestamp(), p.getTimestamp().toEpochMilli(), "the request's timestamp");
                assertEquals(1_700_000_000_000L + asked, rec.timestamp());
                assertTrue(predictions.isEmpty(), "exactly one prediction per request");
                asked++;
            }
        }
        assertEquals(30, asked);
        assertTrue(deadLetters.isEmpty());
        ModelState state = store().get("m");
        assertEquals(300, state.network().step(), "requests take no step");
        assertArrayEquals(core.parameters(), state.network().parameters(), "requests change no parameter");
        assertEquals(300, metrics.readValuesToList().size(), "a metric per sample, none per request");
    }

    @Test
    void requestsLeaveTheModelItsStepAndItsOutputsExactlyAsTheyWere() {
        start(1);
        models.pipeInput("m", utf8(SPEC));
        for (int i = 0; i < 20; i++) {
            samples.pipeInput("m", SampleCodec.toAvro(new double[] {0.1 * i, 0.2, -0.3}, new double[] {0.7, 0.2}));
        }
        driver.advanceWallClockTime(TrainerTopology.PROGRESS_INTERVAL);
        progress.readValuesToList();
        weights.readValuesToList();
        metrics.readValuesToList();
        byte[] before = ModelStateSerde.encode(store().get("m"));

        for (int i = 0; i < 50; i++) {
            requests.pipeInput("m", PredictRequestCodec.toAvro(new double[] {i, -i, 0.5}, "q" + i));
        }
        driver.advanceWallClockTime(TrainerTopology.PROGRESS_INTERVAL);

        assertEquals(50, predictions.readValuesToList().size());
        assertArrayEquals(before, ModelStateSerde.encode(store().get("m")), "model state (parameters, step, EMA) byte for byte unchanged");
        assertTrue(metrics.isEmpty(), "no metric for a request");
        assertTrue(weights.isEmpty(), "no weights for a request");
        assertTrue(progress.isEmpty(), "no progress for a request: the model did not train");

        samples.pipeInput("m", SampleCodec.toAvro(new double[] {0.1, 0.2, -0.3}, new double[] {0.7, 0.2}));
        assertEquals(21, metrics.readValue().getStep(), "training goes on from step 20");
    }

    @Test
    void theLectureAnswersBeforeItsFirstSampleWithoutBeingCreatedByTheRequest() {
        start(1);
        requests.pipeInput("lecture", utf8(PredictRequestCodec.toJson(Lecture.INPUT, "first")));
        Prediction p = predictions.readValue();
        assertEquals(0, p.getStep());
        assertArrayEquals(predict(Lecture.network(), Lecture.INPUT), outputs(p), "the lecture's initial weights");
        assertNull(store().get("lecture"), "not stored");
        assertTrue(weights.isEmpty(), "no create event for a request");

        samples.pipeInput("lecture", SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        List<WeightsUpdate> ws = weights.readValuesToList();
        assertEquals("create", ws.get(0).getEvent(), "its first sample still creates it");
        requests.pipeInput("lecture", PredictRequestCodec.toAvro(Lecture.INPUT, "second"));
        Network core = Lecture.network();
        core.step(Lecture.INPUT, Lecture.TARGET);
        Prediction after = predictions.readValue();
        assertEquals(1, after.getStep());
        assertArrayEquals(predict(core, Lecture.INPUT), outputs(after));
        assertNotEquals(p.getOutputs(), after.getOutputs());
    }

    @Test
    void aRequestOnAnotherPartitionIsReroutedToItsModelsTaskAndNamesWhereItWasWritten() {
        start(ModelRoutingTest.PARTITIONS);
        String rerouted = ModelRoutingTest.idOnPartitionZero("asked-", false);
        models.pipeInput(rerouted, ModelRoutingTest.spec());
        Network core = Lecture.network();
        for (int i = 0; i < 5; i++) {
            samples.pipeInput(rerouted, SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
            core.step(Lecture.INPUT, Lecture.TARGET);
        }
        requests.pipeInput(rerouted, PredictRequestCodec.toAvro(Lecture.INPUT, "far"));
        Prediction p = predictions.readValue();
        assertEquals("far", p.getRequestId());
        assertEquals(5, p.getStep());
        assertArrayEquals(predict(core, Lecture.INPUT), outputs(p));
        assertEquals(0, p.getSourcePartition(), "the partition the request was produced to, not the rerouted topic's");
        assertEquals(0, p.getSourceOffset());
        assertTrue(predictions.isEmpty());
        assertTrue(deadLetters.isEmpty());

        requests.pipeInput(ModelRoutingTest.idOnPartitionZero("nosuch-", false), PredictRequestCodec.toAvro(Lecture.INPUT, "lost"));
        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertEquals("unknown-model", DeadLetters.header(dl.headers(), DeadLetters.REASON));
        assertEquals("predict-requests", DeadLetters.header(dl.headers(), DeadLetters.TOPIC), "a rerouted request keeps its origin topic");
        assertTrue(DeadLetters.header(dl.headers(), DeadLetters.MESSAGE).contains("predict request from partition 0 of 'predict-requests'"),
                DeadLetters.header(dl.headers(), DeadLetters.MESSAGE));
    }

    @Test
    void everyKindOfBadRequestIsDeadLetteredWithItsReasonAndAnsweredByNoPrediction() {
        start(1);
        models.pipeInput("m", utf8("{\"layers\":[2,2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":1}"));
        samples.pipeInput("m", SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET));
        models.pipeInput("huge", utf8("{\"layers\":[2,2],\"activation\":\"linear\",\"learningRate\":0.1,\"init\":\"explicit\","
                + "\"weights\":[[1e300,1e300,1e300,1e300]]}"));
        byte[] before = ModelStateSerde.encode(store().get("m"));
        byte[] hugeBefore = ModelStateSerde.encode(store().get("huge"));
        weights.readValuesToList();
        metrics.readValuesToList();

        byte[] avro = PredictRequestCodec.toAvro(Lecture.INPUT, "r");
        byte[] truncated = java.util.Arrays.copyOf(avro, avro.length - 3);
        byte[] trailing = java.util.Arrays.copyOf(avro, avro.length + 2);
        record Bad(String key, byte[] value, String reason) {
        }
        List<Bad> bad = List.of(
                new Bad("m", utf8("{not json"), "malformed-json"),
                new Bad("m", utf8("{\"input\":[0.1,0.2]} trailing"), "malformed-json"),
                new Bad("m", utf8("{\"input\":[0.1,0.2],\"input\":[0.3,0.4]}"), "malformed-json"),
                new Bad("m", utf8("[0.1,0.2]"), "wrong-json-shape"),
                new Bad("m", utf8("{\"requestId\":\"r\"}"), "wrong-json-shape"),
                new Bad("m", utf8("{\"input\":[0.1,0.2],\"target\":[0.01,0.99]}"), "wrong-json-shape"),
                new Bad("m", utf8("{\"input\":[0.1,0.2],\"requestId\":7}"), "wrong-json-shape"),
                new Bad("m", utf8("{\"input\":[0.1,\"x\"]}"), "wrong-json-shape"),
                new Bad("m", truncated, "undecodable-avro"),
                new Bad("m", trailing, "undecodable-avro"),
                new Bad("m", SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET), "unknown-schema"),
                new Bad("m", new byte[0], "empty-value"),
                new Bad("m", null, "empty-value"),
                new Bad("m", utf8("{\"input\":[0.1,0.2,0.3]}"), "wrong-input-length"),
                new Bad("m", PredictRequestCodec.toAvro(new double[] {0.1}, "short"), "wrong-input-length"),
                new Bad("m", utf8("{\"input\":[]}"), "empty-vector"),
                new Bad("m", utf8("{\"input\":[NaN,0.1]}"), "non-finite-value"),
                new Bad("m", utf8("{\"input\":[0.1,1e999]}"), "non-finite-value"),
                new Bad("m", PredictRequestCodec.toAvro(new double[] {Double.NEGATIVE_INFINITY, 0.1}, null), "non-finite-value"),
                new Bad(null, avro, "missing-key"),
                new Bad("a/b", avro, "invalid-model-id"),
                new Bad("", avro, "invalid-model-id"),
                new Bad("nobody", avro, "unknown-model"),
                new Bad("huge", PredictRequestCodec.toAvro(new double[] {1e300, 1e300}, "overflow"), "non-finite-output"));
        long offset = 0;
        for (Bad b : bad) {
            requests.pipeInput(b.key(), b.value());
            TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
            assertEquals(b.reason(), DeadLetters.header(dl.headers(), DeadLetters.REASON), "reason for " + b);
            assertEquals("predict-requests", DeadLetters.header(dl.headers(), DeadLetters.TOPIC));
            assertEquals(Long.toString(offset), DeadLetters.header(dl.headers(), DeadLetters.OFFSET));
            assertNotNull(DeadLetters.header(dl.headers(), DeadLetters.MESSAGE));
            assertArrayEquals(b.value(), dl.value(), "original bytes are kept");
            assertArrayEquals(b.key() == null ? null : utf8(b.key()), dl.key(), "original key is kept");
            assertTrue(deadLetters.isEmpty(), "exactly one dead letter for " + b);
            assertTrue(predictions.isEmpty(), "no prediction for " + b);
            offset++;
        }
        assertArrayEquals(before, ModelStateSerde.encode(store().get("m")), "model m unchanged");
        assertArrayEquals(hugeBefore, ModelStateSerde.encode(store().get("huge")), "model huge unchanged");
        assertTrue(metrics.isEmpty() && weights.isEmpty(), "no training output for a request");
        assertNull(store().get("nobody"));

        requests.pipeInput("m", PredictRequestCodec.toAvro(Lecture.INPUT, "fine"));
        assertEquals("fine", predictions.readValue().getRequestId(), "requests are answered again after bad ones");
    }

    @Test
    void deadLetterMessagesNameTheNumbersAndTheModel() {
        start(1);
        models.pipeInput("m1", utf8("{\"layers\":[2,2],\"activation\":\"sigmoid\",\"learningRate\":0.5}"));
        requests.pipeInput("m1", utf8("{\"input\":[1,2,3]}"));
        assertEquals("input has 3 values, model 'm1' expects 2", DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.MESSAGE));
        requests.pipeInput("m1", utf8("{\"input\":[1,NaN]}"));
        assertEquals("input[1] is NaN; values must be finite", DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.MESSAGE));
        requests.pipeInput("m1", utf8("{\"input\":[1,2],\"target\":[1,0]}"));
        assertEquals("predict request has unknown field 'target'; expected input and optionally requestId",
                DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.MESSAGE));
    }
}
