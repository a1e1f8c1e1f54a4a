package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.avro.Serdes;
import io.backpropstreams.client.Clients;
import io.backpropstreams.schema.DriftDetection;
import io.backpropstreams.schema.WeightsUpdate;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.topology.ConceptFlip;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift detection through Kafka: two softmax classifiers, one watched by Page-Hinkley (resetting
 * its optimizer on drift) and one by ADWIN (re-initialising), each trained by {@code run}'s service
 * on a stream whose targets flip at step 5,000. Each gets a record on {@code drift} within 500 steps
 * of the switch and at most one in the 5,000 stable steps before it; the drift records and the
 * final weights are those of the in-process core; {@code /models/{id}/curve} carries the marks the
 * dashboard draws, and {@code /metrics} counts them.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DriftIT {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final TopicNames TOPICS = TopicNames.DEFAULTS;

    @RegisterExtension
    static final SharedBroker KAFKA = new SharedBroker();

    @TempDir
    static Path dir;

    private static TrainerService service;

    @BeforeAll
    static void startTheService() {
        Properties config = client();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-it");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        service = TrainerService.start(config, 0, null, 4, WAIT);
    }

    @AfterAll
    static void stopTheService() {
        if (service != null) {
            service.close();
        }
    }

    static Properties client() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        return p;
    }

    @Test
    void bothDetectorsFlagTheFlipWithin500StepsAndNoMoreThanOneFalseAlarm() throws Exception {
        String[][] models = {{"drift-ph", "page-hinkley", "reset-optimizer", "5"}, {"drift-adwin", "adwin", "reinitialize", "6"}};
        try (KafkaProducer<String, byte[]> producer = Clients.producer(client())) {
            for (String[] m : models) {
                producer.send(new ProducerRecord<>(TOPICS.models(), m[0],
                        ConceptFlip.spec(m[1], m[2], Long.parseLong(m[3])).getBytes(StandardCharsets.UTF_8))).get();
            }
            for (String[] m : models) {
                for (double[][] s : ConceptFlip.samples(Long.parseLong(m[3]) * 11)) {
                    producer.send(new ProducerRecord<>(TOPICS.samples(), m[0], SampleCodec.toJson(s[0], s[1]).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
        List<DriftDetection> detections = new ArrayList<>();
        List<WeightsUpdate> last = new ArrayList<>(List.of(new WeightsUpdate(), new WeightsUpdate()));
        long[] steps = new long[2];
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(client())) {
            Clients.assignAll(c, true, List.of(TOPICS.drift(), TOPICS.weights()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((steps[0] < ConceptFlip.SAMPLES || steps[1] < ConceptFlip.SAMPLES) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(TOPICS.drift())) {
                        detections.add(Serdes.DRIFT_DETECTION.decode(r.value()));
                    } else if (r.value() != null) {
                        WeightsUpdate u = Serdes.WEIGHTS_UPDATE.decode(r.value());
                        int k = u.getModelId().equals(models[0][0]) ? 0 : 1;
                        steps[k] = u.getStep();
                        last.set(k, u);
                    }
                }
            }
        }
        assertEquals(ConceptFlip.SAMPLES, steps[0], "the Page-Hinkley model trained every sample");
        assertEquals(ConceptFlip.SAMPLES, steps[1], "the ADWIN model trained every sample");
        for (int k = 0; k < 2; k++) {
            String id = models[k][0];
            List<Long> got = detections.stream().filter(d -> d.getModelId().equals(id)).map(DriftDetection::getStep).toList();
            String spec = ConceptFlip.spec(models[k][1], models[k][2], Long.parseLong(models[k][3]));
            ModelState[] core = new ModelState[1];
            List<Long> expected = ConceptFlip.replay(spec, ConceptFlip.samples(Long.parseLong(models[k][3]) * 11), core);
            System.out.println("drift-it: " + id + " (" + models[k][1] + ", " + models[k][2] + ") detections at steps " + got);
            assertEquals(expected, got, id + ": one drift record per detection of the in-process core, no duplicate");
            assertTrue(got.stream().filter(s -> s <= ConceptFlip.SWITCH).count() <= 1, id + ": at most one false alarm, got " + got);
            assertTrue(got.stream().anyMatch(s -> s > ConceptFlip.SWITCH && s <= ConceptFlip.SWITCH + 500),
                    id + ": a detection within 500 steps of the switch at " + ConceptFlip.SWITCH + ", got " + got);
            double[] published = last.get(k).getLayers().stream().flatMap(l -> java.util.stream.Stream.concat(
                    l.getWeights().stream(), l.getBiases().stream())).mapToDouble(Double::doubleValue).toArray();
            // a WeightsUpdate lists each layer's weights then its biases, as the flat parameter vector does
            assertArrayEquals(core[0].network().parameters(), published, 0.0, id + ": the final weights are the core's, bit for bit");
        }
        JsonNode curve = get("/models/drift-ph/curve");
        long waitUntil = System.nanoTime() + WAIT.toNanos();
        while (curve.get("drifts").isEmpty() && System.nanoTime() < waitUntil) {
            curve = get("/models/drift-ph/curve");
        }
        assertTrue(curve.get("drifts").size() >= 1, "the curve carries the drift marks: " + curve.get("drifts"));
        assertEquals("page-hinkley", curve.get("drifts").get(0).get("detector").asText());
        String metrics = getText("/metrics");
        assertTrue(metrics.contains("bps_model_drifts_total{model=\"drift-ph\"}"), "a drift counter per model in /metrics");
    }

    private static JsonNode get(String path) throws Exception {
        return new ObjectMapper().readTree(getText(path));
    }

    private static String getText(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }
}
