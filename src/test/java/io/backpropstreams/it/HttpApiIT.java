package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.client.Clients;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Network;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTTP API of one trainer on an embedded broker, after the lecture's 10,000 samples were
 * replayed through Kafka: Prometheus {@code /metrics}, the model's weights, predictions and the
 * model list, each compared exactly with the in-process core trained on the same samples. A second,
 * small classifier trained on one-hot targets alongside has the prequential accuracy the lecture
 * (a regression) does not.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpApiIT {

    private static final int STEPS = 10_000;
    /** The classifier: a [2,3,2] net learning which of its two inputs is larger, one-hot targets. */
    private static final String CLASSIFIER = "classifier";
    private static final String CLASSIFIER_SPEC = "{\"layers\":[2,3,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":5}";
    private static final int CLASSIFIER_STEPS = 400;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path stateDir;

    private static EmbeddedKafkaBroker kafka;
    private static TrainerService service;
    /** The lecture network trained in-process on the same 10,000 samples, with its loss EMA. */
    private static ModelState expected;
    /** The classifier trained in-process on the same samples, with its accuracy counts. */
    private static ModelState expectedClassifier;

    @BeforeAll
    static void replayTheLectureThroughTheTrainer() throws Exception {
        kafka = EmbeddedKafkaBroker.builder().start();
        Properties config = kafka.clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "http-api-it-" + System.nanoTime());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        service = TrainerService.start(config, 0, null, Trainer.DEFAULT_PARTITIONS, WAIT);

        expected = new ModelState(Lecture.network(), 1, Double.NaN);
        for (int i = 0; i < STEPS; i++) {
            expected.recordLoss(expected.network().step(Lecture.INPUT, Lecture.TARGET));
        }

        // the classifier exists before its first sample (else the sample is dead-lettered as unknown-model)
        try (KafkaProducer<String, byte[]> producer = Clients.producer(kafka.clientProperties())) {
            producer.send(new ProducerRecord<>(TopicNames.DEFAULTS.models(), CLASSIFIER,
                    CLASSIFIER_SPEC.getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        await("GET /models/" + CLASSIFIER + " to find the new model", () -> get("/models/" + CLASSIFIER).statusCode(), c -> c == 200);
        io.backpropstreams.avro.ModelSpecs.Definition d = io.backpropstreams.avro.ModelSpecs.toDefinition(
                io.backpropstreams.avro.ModelSpecs.fromJson(CLASSIFIER_SPEC));
        expectedClassifier = new ModelState(new Network(d.spec(), d.parameters()), d.publishEvery(), Double.NaN);
        double[] output = new double[2];
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        List<byte[]> classifierSamples = new ArrayList<>();
        for (int i = 0; i < CLASSIFIER_STEPS; i++) {
            double[] x = {random.nextDouble(), random.nextDouble()};
            double[] t = x[0] > x[1] ? new double[] {1, 0} : new double[] {0, 1};
            Network n = expectedClassifier.network();
            expectedClassifier.recordLoss(n.step(x, t));
            n.copyOutput(output);
            expectedClassifier.recordClassification((output[0] >= output[1] ? 0 : 1) == (t[0] == 1.0 ? 0 : 1));
            classifierSamples.add(SampleCodec.toAvro(x, t));
        }

        byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(kafka.clientProperties())) {
            for (int i = 0; i < STEPS; i++) {
                producer.send(new ProducerRecord<>(TopicNames.DEFAULTS.samples(), Lecture.MODEL_ID, sample));
                if (i < CLASSIFIER_STEPS) {
                    producer.send(new ProducerRecord<>(TopicNames.DEFAULTS.samples(), CLASSIFIER, classifierSamples.get(i)));
                }
            }
            producer.flush();
        }
        // the monitor counts committed metrics: all 10,000 steps have been applied once it says so
        await("bps_model_steps_total{model=\"lecture\"} to reach " + STEPS, () -> stepsMetric(get("/metrics").body(), Lecture.MODEL_ID),
                v -> v != null && v >= STEPS);
        await("bps_model_steps_total{model=\"" + CLASSIFIER + "\"} to reach " + CLASSIFIER_STEPS,
                () -> stepsMetric(get("/metrics").body(), CLASSIFIER), v -> v != null && v >= CLASSIFIER_STEPS);
        await("GET /models/lecture to reach step " + STEPS, () -> {
            HttpResponse<String> r = get("/models/lecture");
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("step").asLong() : -1L;
        }, step -> step >= STEPS);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------- /metrics

    @Test
    void metricsIsPrometheusTextWithTheStepCountAndKafkaStreamsMetrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());

        List<PromSample> samples = PrometheusText.parse(r.body());
        assertEquals(STEPS, PrometheusText.value(samples, "bps_model_steps_total", Map.of("model", "lecture")), 0.0,
                "steps counted by /metrics");
        assertTrue(samples.stream().anyMatch(s -> s.name().startsWith("kafka_stream")),
                "Kafka Streams metrics in /metrics; names seen: " + names(samples));
        // the other per-model meters are there as well, and agree with the in-process run
        assertEquals(expected.lossEma(), PrometheusText.value(samples, "bps_model_loss_ema", Map.of("model", "lecture")),
                1e-12 * Math.max(1, expected.lossEma()), "loss EMA in /metrics");
        assertTrue(samples.stream().anyMatch(s -> s.name().equals("bps_model_loss") && "lecture".equals(s.labels().get("model"))),
                "bps_model_loss{model=\"lecture\"} in " + names(samples));
        // nothing was dead-lettered, and the series of every reason is there from the start, at 0
        assertTrue(samples.stream().noneMatch(s -> s.name().startsWith("bps_dead_letters") && s.value() > 0),
                "no dead letters: " + samples.stream().filter(s -> s.name().startsWith("bps_dead_letters")).toList());
        for (String reason : io.backpropstreams.topology.DeadLetters.REASONS) {
            assertEquals(0.0, PrometheusText.value(samples, "bps_dead_letters_total", Map.of("reason", reason)), 0.0, reason);
        }
        // no process UUID in any label: the series stay the same across restarts
        assertTrue(samples.stream().noneMatch(s -> s.labels().values().stream()
                        .anyMatch(v -> v.matches(".*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*"))),
                "labels without UUIDs: " + samples.stream().filter(s -> s.labels().toString().matches(".*[0-9a-f]{8}-[0-9a-f]{4}.*"))
                        .limit(3).toList());
    }

    @Test
    void metricsHasNoNaNSeries() throws Exception {
        List<PromSample> samples = PrometheusText.parse(get("/metrics").body());
        List<PromSample> nan = samples.stream().filter(s -> Double.isNaN(s.value())).toList();
        assertEquals(List.of(), nan, nan.size() + " NaN series of " + samples.size());
    }

    /** Prometheus's own checker, {@code promtool check metrics}, on a scrape: Debian's prometheus package; .ci/run installs it. */
    @Test
    void promtoolAcceptsTheScrape() throws Exception {
        java.nio.file.Path promtool = java.nio.file.Path.of(System.getProperty("bps.it.promtool", "/usr/bin/promtool"));
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(promtool),
                "no " + promtool + ": install it with apt-get install -y prometheus; .ci/run does");
        String scrape = get("/metrics").body();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(scrape.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "promtool did not finish");
        List<String> problems = out.lines().filter(l -> !l.isBlank()).filter(l -> !PromtoolLint.isKafkaInternal(l)).toList();
        assertEquals(List.of(), problems, "promtool check metrics (exit " + p.exitValue() + "):\n" + out);
    }

    @Test
    void thePrometheusValidatorIsStrict() {
        // a validator that accepts anything would make the test above meaningless
        assertEquals(2, PrometheusText.parse("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"\\\\\"} 2.0\n"
                + "# TYPE g gauge\ng NaN 1700000000000\n").size());
        for (String bad : List.of(
                "# TYPE a counter\na{x=\"1} 2\n",         // unterminated label value
                "# TYPE a counter\na{x=1} 2\n",           // unquoted label value
                "# TYPE a counter\na 1 2 3\n",            // too many fields
                "# TYPE a counter\na twelve\n",           // not a number
                "# TYPE 1a counter\n1a 2\n",              // bad metric name
                "# TYPE a counter\na{-x=\"1\"} 2\n",      // bad label name
                "# TYPE a counter\na 1\na 2\n",           // duplicate series
                "# TYPE a counter\n# TYPE a gauge\na 1\n",// family typed twice
                "# TYPE a kounter\na 1\n",                // unknown type
                "a 1\n",                                  // sample of an undeclared family
                "# TYPE a gauge\nb 1\n")) {               // sample outside its family
            assertThrows(AssertionError.class, () -> PrometheusText.parse(bad), "accepted:\n" + bad);
        }
    }

    // ---------------------------------------------------------------- /models/{id}

    @Test
    void modelWeightsAreExactlyTheInProcessWeightsAfter10000Steps() throws Exception {
        HttpResponse<String> r = get("/models/lecture");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode model = JSON.readTree(r.body());
        Network net = expected.network();
        assertEquals(STEPS, net.step());
        assertEquals("lecture", model.get("modelId").asText(), r.body());
        assertEquals(STEPS, model.get("step").asLong(), r.body());
        assertEquals(List.of(2, 2, 2), ints(model.get("shape")), r.body());
        JsonNode layers = model.get("layers");
        assertNotNull(layers, r.body());
        assertEquals(2, layers.size(), r.body());
        for (int l = 1; l <= 2; l++) {
            JsonNode layer = layers.get(l - 1);
            assertEquals(2, layer.get("inputs").asInt(), r.body());
            assertEquals(2, layer.get("outputs").asInt(), r.body());
            assertEquals("sigmoid", layer.get("activation").asText(), r.body());
            // exactly, bit for bit: the same core ran the same 10,000 steps
            assertArrayEquals(net.weights(l), doubles(layer.get("weights")), "layer " + l + " weights");
            assertArrayEquals(net.biases(l), doubles(layer.get("biases")), "layer " + l + " biases");
        }
        // the lecture's biases are frozen; its weights moved
        assertArrayEquals(new double[] {Lecture.BIAS_HIDDEN, Lecture.BIAS_HIDDEN}, doubles(layers.get(0).get("biases")));
        assertFalse(Lecture.WEIGHTS[0] == layers.get(0).get("weights").get(0).asDouble(), "w1 was trained");
        JsonNode spec = model.get("spec");
        assertEquals(Lecture.LEARNING_RATE, spec.get("learningRate").asDouble(), 0.0, r.body());
        assertEquals("simultaneous", spec.get("updateRule").asText(), r.body());
        assertFalse(spec.get("trainBiases").asBoolean(), r.body());
        assertEquals(expected.lossEma(), model.get("lossEma").asDouble(), 0.0, r.body());
    }

    @Test
    void unknownModelIs404WithJsonError() throws Exception {
        HttpResponse<String> r = get("/models/no-such-model");
        assertEquals(404, r.statusCode(), r.body());
        assertTrue(error(r).contains("no-such-model"), r.body());
    }

    // ---------------------------------------------------------------- predict

    @Test
    void predictIsTheForwardPassOfTheTrainedWeights() throws Exception {
        for (double[] input : List.of(Lecture.INPUT, new double[] {0.3, -0.7}, new double[] {1e3, 0})) {
            HttpResponse<String> r = post("/models/lecture/predict", JSON.writeValueAsString(Map.of("input", input)));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode o = JSON.readTree(r.body());
            double[] want = new double[2];
            expected.network().predict(input, want);
            assertArrayEquals(want, doubles(o.get("output")), "output for " + java.util.Arrays.toString(input) + ": " + r.body());
            assertArrayEquals(input, doubles(o.get("input")), r.body());
            assertEquals(STEPS, o.get("step").asLong(), r.body());
            assertEquals("lecture", o.get("modelId").asText(), r.body());
        }
        // after 10,000 steps the lecture's output is close to its target
        HttpResponse<String> r = post("/models/lecture/predict", "{\"input\":[0.05,0.1]}");
        double[] out = doubles(JSON.readTree(r.body()).get("output"));
        assertEquals(Lecture.TARGET[0], out[0], 0.01, r.body());
        assertEquals(Lecture.TARGET[1], out[1], 0.01, r.body());
        // predicting does not train
        assertEquals(STEPS, JSON.readTree(get("/models/lecture").body()).get("step").asLong());
    }

    @Test
    void predictRejectsBadBodiesWith400AndAJsonError() throws Exception {
        for (String body : List.of("not json", "", "[0.05,0.1]", "{\"inputs\":[0.05,0.1]}", "{\"input\":\"0.05,0.1\"}",
                "{\"input\":[0.05,\"x\"]}", "{\"input\":[0.05,0.1]")) {
            HttpResponse<String> r = post("/models/lecture/predict", body);
            assertEquals(400, r.statusCode(), "body " + body + " -> " + r.body());
            assertFalse(error(r).isBlank(), r.body());
        }
    }

    @Test
    void predictWithTheWrongInputLengthNamesBothLengths() throws Exception {
        HttpResponse<String> r = post("/models/lecture/predict", "{\"input\":[0.05,0.1,0.2]}");
        assertEquals(400, r.statusCode(), r.body());
        String e = error(r);
        assertTrue(e.contains("3") && e.contains("2"), "the error names the 3 values given and the 2 expected: " + e);
        r = post("/models/lecture/predict", "{\"input\":[]}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(error(r).contains("0"), r.body());
    }

    @Test
    void predictOfAnUnknownModelIs404WithJsonError() throws Exception {
        HttpResponse<String> r = post("/models/no-such-model/predict", "{\"input\":[0.05,0.1]}");
        assertEquals(404, r.statusCode(), r.body());
        assertTrue(error(r).contains("no-such-model"), r.body());
    }

    @Test
    void predictNeedsPost() throws Exception {
        HttpResponse<String> r = get("/models/lecture/predict");
        assertEquals(405, r.statusCode(), r.body());
        assertFalse(error(r).isBlank(), r.body());
    }

    // ---------------------------------------------------------------- /models, /health

    @Test
    void modelsListsTheLectureWithShapeStepAndLossEma() throws Exception {
        HttpResponse<String> r = get("/models");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode list = JSON.readTree(r.body());
        assertTrue(list.isArray(), r.body());
        List<JsonNode> lecture = new ArrayList<>();
        list.forEach(m -> {
            if (m.get("modelId").asText().equals("lecture")) {
                lecture.add(m);
            }
        });
        assertEquals(1, lecture.size(), "lecture listed once: " + r.body());
        JsonNode m = lecture.get(0);
        assertEquals(List.of(2, 2, 2), ints(m.get("shape")), r.body());
        assertEquals(STEPS, m.get("step").asLong(), r.body());
        assertEquals(expected.lossEma(), m.get("lossEma").asDouble(), 0.0, "loss EMA as the core computes it: " + r.body());
        for (String field : List.of("classified", "correct", "accuracy", "accuracyEma")) {
            assertFalse(m.has(field), "a regression model has no " + field + ": " + m);
        }
        assertEquals(2, list.size(), "only the lecture and the classifier were trained: " + r.body());
    }

    // ---------------------------------------------------------------- prequential accuracy

    @Test
    void theClassifiersAccuracyIsInMetricsAsTheCoreCountsItAndTheLecturesIsNot() throws Exception {
        assertTrue(expectedClassifier.correct() > 0 && expectedClassifier.correct() < CLASSIFIER_STEPS,
                "a workload with both verdicts: " + expectedClassifier.correct() + " of " + CLASSIFIER_STEPS);
        List<PromSample> samples = PrometheusText.parse(get("/metrics").body());
        assertEquals(expectedClassifier.accuracy(), PrometheusText.value(samples, "bps_model_accuracy", Map.of("model", CLASSIFIER)), 0.0,
                "correct / classified = " + expectedClassifier.correct() + " / " + expectedClassifier.classified());
        assertEquals(expectedClassifier.accuracyEma(), PrometheusText.value(samples, "bps_model_accuracy_ema", Map.of("model", CLASSIFIER)),
                1e-15, "accuracy EMA");
        assertTrue(samples.stream().noneMatch(s -> s.name().startsWith("bps_model_accuracy") && Lecture.MODEL_ID.equals(s.labels().get("model"))),
                "no accuracy series for the lecture, a regression: " + samples.stream().filter(s -> s.name().startsWith("bps_model_accuracy")).toList());
    }

    @Test
    void theClassifiersAccuracyIsInModelsAndItsCurve() throws Exception {
        JsonNode listed = null;
        for (JsonNode m : JSON.readTree(get("/models").body())) {
            if (m.get("modelId").asText().equals(CLASSIFIER)) {
                listed = m;
            }
        }
        assertNotNull(listed, "the classifier in /models");
        JsonNode one = JSON.readTree(get("/models/" + CLASSIFIER).body());
        for (JsonNode m : List.of(listed, one)) {
            assertEquals(CLASSIFIER_STEPS, m.get("step").asLong(), m.toString());
            assertEquals(CLASSIFIER_STEPS, m.get("classified").asLong(), "every sample had a one-hot target: " + m);
            assertEquals(expectedClassifier.correct(), m.get("correct").asLong(), m.toString());
            assertEquals(expectedClassifier.accuracy(), m.get("accuracy").asDouble(), 0.0, m.toString());
            assertEquals(expectedClassifier.accuracyEma(), m.get("accuracyEma").asDouble(), 0.0, "bit for bit, from the store: " + m);
        }
        JsonNode curve = JSON.readTree(get("/models/" + CLASSIFIER + "/curve").body());
        JsonNode steps = curve.get("step");
        JsonNode accuracyEma = curve.get("accuracyEma");
        assertEquals(steps.size(), accuracyEma.size(), curve.toString());
        assertEquals(CLASSIFIER_STEPS, steps.get(steps.size() - 1).asLong());
        assertEquals(expectedClassifier.accuracyEma(), accuracyEma.get(accuracyEma.size() - 1).asDouble(), 0.0, "the last point's accuracy EMA");
        JsonNode lectureCurve = JSON.readTree(get("/models/lecture/curve?since=" + (STEPS - 100)).body());
        assertTrue(lectureCurve.get("accuracyEma").size() > 0, lectureCurve.toString());
        lectureCurve.get("accuracyEma").forEach(v -> assertTrue(v.isNull(), "the lecture's points have no accuracy: " + v));
    }

    @Test
    void healthSaysRunning() throws Exception {
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("RUNNING", JSON.readTree(r.body()).get("state").asText(), r.body());
    }

    // ---------------------------------------------------------------- helpers

    private static Double stepsMetric(String body, String model) {
        for (PromSample s : PrometheusText.parse(body)) {
            if (s.name().equals("bps_model_steps_total") && model.equals(s.labels().get("model"))) {
                return s.value();
            }
        }
        return null;
    }

    private static String error(HttpResponse<String> r) throws IOException {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode e = JSON.readTree(r.body());
        assertNotNull(e, "a JSON body");
        assertTrue(e.isObject() && e.has("error") && e.get("error").isTextual(), "{\"error\": \"...\"}, got " + r.body());
        return e.get("error").asText();
    }

    private static Set<String> names(List<PromSample> samples) {
        Set<String> names = new HashSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.httpPort() + path);
    }

    private static List<Integer> ints(JsonNode array) {
        assertNotNull(array);
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static double[] doubles(JsonNode array) {
        assertNotNull(array, "array missing");
        assertTrue(array.isArray(), "not an array: " + array);
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            assertTrue(array.get(i).isNumber(), "not a number: " + array.get(i));
            d[i] = array.get(i).asDouble();
        }
        return d;
    }

    private interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls {@code probe} until {@code done} or the deadline; fails naming the last value seen. */
    private static <T> T await(String what, Probe<T> probe, Predicate<T> done) {
        return Waits.until(what, WAIT, probe::get, done);
    }

    // ---------------------------------------------------------------- Prometheus text format

    /** One sample line of the exposition format. */
    record PromSample(String name, Map<String, String> labels, double value) {
    }

    /**
     * A strict reader of the Prometheus text exposition format (version 0.0.4): every line is a
     * {@code # HELP}, a {@code # TYPE}, another comment, or a sample {@code name{labels} value [timestamp]};
     * each sample belongs to the family of the last {@code # TYPE} line, no family is typed twice and
     * no series appears twice. Anything else fails the test with the offending line.
     */
    /** Which of promtool's findings are about Kafka's own metric names (Micrometer's binder), not ours. */
    static final class PromtoolLint {
        private PromtoolLint() {
        }

        /**
         * A lint line about a {@code kafka_*} family: Kafka names some gauges {@code …_total} or
         * {@code …_count} (cumulative figures it reports as gauges), which promtool's naming rules flag.
         * Those names are Kafka's, so they are documented, not renamed; every other finding fails.
         */
        static boolean isKafkaInternal(String line) {
            return line.startsWith("kafka_");
        }
    }

    static final class PrometheusText {
        private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
        private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
        private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
        private static final String LABEL = LABEL_NAME + "=" + LABEL_VALUE;
        private static final String VALUE = "[+-]?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\.[0-9]+(?:[eE][+-]?[0-9]+)?|Inf)|NaN";
        private static final Pattern SAMPLE = Pattern.compile(
                "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?})? (" + VALUE + ")(?: (-?[0-9]+))?");
        private static final Pattern ONE_LABEL = Pattern.compile("(" + LABEL_NAME + ")=(" + LABEL_VALUE + ")");
        private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ")(?: (?:[^\\\\\\n]|\\\\[\\\\n])*)?");
        private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
        private static final List<String> SUFFIXES = List.of("", "_total", "_created", "_count", "_sum", "_bucket", "_info");

        static List<PromSample> parse(String text) {
            List<PromSample> samples = new ArrayList<>();
            Set<String> typed = new HashSet<>();
            Set<String> series = new HashSet<>();
            String family = null;
            int n = 0;
            for (String line : text.split("\n", -1)) {
                n++;
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    Matcher t = TYPE.matcher(line);
                    if (t.matches()) {
                        family = t.group(1);
                        if (!typed.add(family)) {
                            throw new AssertionError("line " + n + ": family " + family + " typed twice");
                        }
                    } else if (line.startsWith("# TYPE")) {
                        throw new AssertionError("line " + n + ": malformed TYPE line: " + line);
                    } else if (line.startsWith("# HELP") && !HELP.matcher(line).matches()) {
                        throw new AssertionError("line " + n + ": malformed HELP line: " + line);
                    }
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("line " + n + " is not name{labels} value [timestamp]: " + line);
                }
                String name = m.group(1);
                String fam = family;
                if (fam == null || SUFFIXES.stream().noneMatch(s -> name.equals(fam + s))) {
                    throw new AssertionError("line " + n + ": sample " + name + " outside its # TYPE family (" + family + ")");
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = ONE_LABEL.matcher(m.group(2));
                    while (l.find()) {
                        String v = l.group(2);
                        if (labels.put(l.group(1), unescape(v.substring(1, v.length() - 1))) != null) {
                            throw new AssertionError("line " + n + ": label " + l.group(1) + " twice: " + line);
                        }
                    }
                }
                if (!series.add(name + labels)) {
                    throw new AssertionError("line " + n + ": series appears twice: " + line);
                }
                samples.add(new PromSample(name, labels, parseValue(m.group(3))));
            }
            if (samples.isEmpty()) {
                throw new AssertionError("no samples in:\n" + text);
            }
            return samples;
        }

        static double value(List<PromSample> samples, String name, Map<String, String> labels) {
            for (PromSample s : samples) {
                if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
                    return s.value();
                }
            }
            throw new AssertionError("no sample " + name + labels);
        }

        private static double parseValue(String v) {
            return switch (v) {
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(v);
            };
        }

        private static String unescape(String v) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\') {
                    char e = v.charAt(++i);
                    sb.append(e == 'n' ? '\n' : e);
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }
}
