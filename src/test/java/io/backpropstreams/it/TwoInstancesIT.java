package io.backpropstreams.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.client.Clients;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.http.ModelQueries;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.kafka.Topics;
import io.backpropstreams.nn.Network;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two trainer instances of one application share the work: 8 models spread over 4 partitions and
 * both instances, and either instance answers every model query (locally or by forwarding to the
 * owner) with the same body.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoInstancesIT {

    private static final int PARTITIONS = 4;
    private static final int MODELS = 8;
    private static final int SAMPLES_PER_MODEL = 200;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final TopicNames TOPICS = TopicNames.DEFAULTS;

    @TempDir
    static Path stateA;
    @TempDir
    static Path stateB;

    private static EmbeddedKafkaBroker kafka;
    private static TrainerService a;
    private static TrainerService b;
    /** Model id to its JSON spec, ids chosen so that every partition holds two models. */
    private static final Map<String, String> SPECS = new LinkedHashMap<>();
    /** Each model trained in-process on the samples sent to it. */
    private static final Map<String, Network> EXPECTED = new LinkedHashMap<>();

    @BeforeAll
    static void startTwoInstancesAndTrainEightModels() throws Exception {
        kafka = EmbeddedKafkaBroker.builder().start();
        Topics.createIfMissing(kafka.clientProperties(), Trainer.topicSpecs(TOPICS, PARTITIONS), WAIT);
        String applicationId = "two-instances-it-" + System.nanoTime();
        a = TrainerService.start(config(applicationId, stateA), 0, "127.0.0.1", PARTITIONS, WAIT);
        b = TrainerService.start(config(applicationId, stateB), 0, "127.0.0.1", PARTITIONS, WAIT);
        awaitBalancedAssignment();

        // two models per partition, so that both instances own some whatever the assignment
        int[] perPartition = new int[PARTITIONS];
        for (int n = 1; SPECS.size() < MODELS; n++) {
            String id = "net-" + n;
            int p = partitionOf(id);
            if (perPartition[p] < MODELS / PARTITIONS) {
                perPartition[p]++;
                int seed = SPECS.size() + 1;
                SPECS.put(id, "{\"layers\":[2,3,2],\"activation\":\"sigmoid\",\"learningRate\":0.5,\"seed\":" + seed + "}");
            }
        }
        try (KafkaProducer<String, byte[]> producer = Clients.producer(kafka.clientProperties())) {
            SPECS.forEach((id, spec) -> producer.send(new ProducerRecord<>(TOPICS.models(), id, spec.getBytes(StandardCharsets.UTF_8))));
            producer.flush();
            // samples only once every model exists, or they would be dead-lettered as unknown-model
            await("all " + MODELS + " models created", () -> steps(get(a, "/models")),
                    steps -> steps.keySet().containsAll(SPECS.keySet()));

            Random random = new Random(42);
            for (Map.Entry<String, String> e : SPECS.entrySet()) {
                ModelSpecs.Definition def = ModelSpecs.toDefinition(ModelSpecs.fromJson(e.getValue()));
                Network net = new Network(def.spec(), def.parameters());
                for (int i = 0; i < SAMPLES_PER_MODEL; i++) {
                    double x = random.nextDouble();
                    double y = random.nextDouble();
                    double[] input = {x, y};
                    double[] target = {x * y, (x + y) / 2};
                    net.step(input, target);
                    producer.send(new ProducerRecord<>(TOPICS.samples(), e.getKey(), SampleCodec.toAvro(input, target)));
                }
                EXPECTED.put(e.getKey(), net);
            }
            producer.flush();
        }
        for (TrainerService s : List.of(a, b)) {
            await("every model at step " + SAMPLES_PER_MODEL + " as listed by port " + s.httpPort(), () -> steps(get(s, "/models")),
                    steps -> steps.keySet().equals(SPECS.keySet())
                            && steps.values().stream().allMatch(v -> v == SAMPLES_PER_MODEL));
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, kafka}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }
        }
    }

    private static Properties config(String applicationId, Path stateDir) {
        Properties p = kafka.clientProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    /** Both RUNNING, each owning some of the four tasks, together all of them, and both seeing two clients. */
    private static void awaitBalancedAssignment() throws Exception {
        awaitBalancedAssignment(a, b);
    }

    private static void awaitBalancedAssignment(TrainerService a, TrainerService b) throws Exception {
        await("both instances RUNNING with the 4 tasks split between them", () -> {
            Set<String> tasksA = activeTasks(a.trainer().streams());
            Set<String> tasksB = activeTasks(b.trainer().streams());
            Set<String> all = new TreeSet<>(tasksA);
            all.addAll(tasksB);
            boolean ok = a.trainer().streams().state() == KafkaStreams.State.RUNNING
                    && b.trainer().streams().state() == KafkaStreams.State.RUNNING
                    && !tasksA.isEmpty() && !tasksB.isEmpty()
                    && all.size() == PARTITIONS && tasksA.size() + tasksB.size() == PARTITIONS
                    && a.trainer().streams().metadataForAllStreamsClients().size() == 2
                    && b.trainer().streams().metadataForAllStreamsClients().size() == 2;
            return ok ? "ok" : "A " + a.trainer().streams().state() + " " + tasksA + ", B " + b.trainer().streams().state() + " " + tasksB;
        }, "ok"::equals);
    }

    private static Set<String> activeTasks(KafkaStreams streams) {
        Set<String> tasks = new TreeSet<>();
        for (ThreadMetadata t : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : t.activeTasks()) {
                tasks.add(task.taskId().toString());
            }
        }
        return tasks;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void theModelsAreSpreadOverBothInstances() {
        Set<String> localA = localModels(a);
        Set<String> localB = localModels(b);
        assertFalse(localA.isEmpty(), "instance A holds some models; A " + localA + ", B " + localB);
        assertFalse(localB.isEmpty(), "instance B holds some models; A " + localA + ", B " + localB);
        Set<String> both = new HashSet<>(localA);
        both.retainAll(localB);
        assertTrue(both.isEmpty(), "no model is in both stores: " + both);
        Set<String> union = new TreeSet<>(localA);
        union.addAll(localB);
        assertEquals(new TreeSet<>(SPECS.keySet()), union, "together the stores hold all models");

        // and the streams metadata, as seen by either instance, names the instance whose store holds it
        for (TrainerService seenBy : List.of(a, b)) {
            for (String id : SPECS.keySet()) {
                KeyQueryMetadata md = seenBy.trainer().streams()
                        .queryMetadataForKey(TrainerTopology.STORE, id, new StringSerializer());
                HostInfo owner = localA.contains(id) ? host(a) : host(b);
                assertEquals(owner, md.activeHost(), "owner of " + id + " as seen by " + host(seenBy));
                assertEquals(partitionOf(id), md.partition(), "partition of " + id);
            }
            Set<HostInfo> hosts = new HashSet<>();
            for (StreamsMetadata md : seenBy.trainer().streams().metadataForAllStreamsClients()) {
                hosts.add(md.hostInfo());
            }
            assertEquals(Set.of(host(a), host(b)), hosts, "clients seen by " + host(seenBy));
        }
    }

    @Test
    void everyModelAnswersIdenticallyFromBothInstances() throws Exception {
        for (String id : SPECS.keySet()) {
            HttpResponse<String> fromA = get(a, "/models/" + id);
            HttpResponse<String> fromB = get(b, "/models/" + id);
            assertEquals(200, fromA.statusCode(), id + " from A: " + fromA.body());
            assertEquals(200, fromB.statusCode(), id + " from B: " + fromB.body());
            assertEquals(fromA.body(), fromB.body(), "GET /models/" + id + " from A and from B");

            JsonNode model = JSON.readTree(fromA.body());
            Network expected = EXPECTED.get(id);
            assertEquals(id, model.get("modelId").asText());
            assertEquals(SAMPLES_PER_MODEL, model.get("step").asLong(), fromA.body());
            assertEquals(List.of(2, 3, 2), ints(model.get("shape")), fromA.body());
            for (int l = 1; l <= 2; l++) {
                JsonNode layer = model.get("layers").get(l - 1);
                assertArrayEquals(expected.weights(l), doubles(layer.get("weights")), id + " layer " + l + " weights");
                assertArrayEquals(expected.biases(l), doubles(layer.get("biases")), id + " layer " + l + " biases");
            }

            String body = "{\"input\":[0.25,0.75]}";
            HttpResponse<String> predictA = post(a, "/models/" + id + "/predict", body);
            HttpResponse<String> predictB = post(b, "/models/" + id + "/predict", body);
            assertEquals(200, predictA.statusCode(), id + " predict from A: " + predictA.body());
            assertEquals(200, predictB.statusCode(), id + " predict from B: " + predictB.body());
            assertEquals(predictA.body(), predictB.body(), "POST /models/" + id + "/predict from A and from B");
            double[] want = new double[2];
            expected.predict(new double[] {0.25, 0.75}, want);
            assertArrayEquals(want, doubles(JSON.readTree(predictA.body()).get("output")), id + " prediction");

            // errors are forwarded as they are
            HttpResponse<String> badA = post(a, "/models/" + id + "/predict", "{\"input\":[1]}");
            HttpResponse<String> badB = post(b, "/models/" + id + "/predict", "{\"input\":[1]}");
            assertEquals(400, badA.statusCode(), badA.body());
            assertEquals(badA.body(), badB.body());
        }
    }

    @Test
    void eitherInstanceListsAllModels() throws Exception {
        Map<String, JsonNode> fromA = listing(get(a, "/models"));
        Map<String, JsonNode> fromB = listing(get(b, "/models"));
        assertEquals(new TreeSet<>(SPECS.keySet()), fromA.keySet(), "GET /models from A");
        assertEquals(new TreeSet<>(SPECS.keySet()), fromB.keySet(), "GET /models from B");
        for (String id : SPECS.keySet()) {
            JsonNode ma = fromA.get(id);
            JsonNode mb = fromB.get(id);
            assertEquals(List.of(2, 3, 2), ints(ma.get("shape")), ma.toString());
            assertEquals(SAMPLES_PER_MODEL, ma.get("step").asLong(), ma.toString());
            assertTrue(ma.get("lossEma").isNumber() && ma.get("lossEma").asDouble() > 0, ma.toString());
            for (String field : List.of("modelId", "shape", "step", "lossEma")) {
                assertEquals(ma.get(field), mb.get(field), field + " of " + id + " from A and B");
            }
        }
    }

    @Test
    void anUnknownModelIs404FromBothInstances() throws Exception {
        for (TrainerService s : List.of(a, b)) {
            HttpResponse<String> r = get(s, "/models/no-such-model");
            assertEquals(404, r.statusCode(), r.body());
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains("no-such-model"), r.body());
        }
    }

    /**
     * Two more instances of another application, which trains the same models from the same
     * topics, each with the same bearer token and HTTPS key store: either answers every model,
     * forwarding with the token to the owner over TLS; without the token both answer 401.
     */
    @Test
    void aPairWithATokenAndTlsForwardsWithTheToken(@TempDir Path stateC, @TempDir Path stateD, @TempDir Path keys) throws Exception {
        Path store = io.backpropstreams.http.TestKeystores.create(keys, "pair.p12");
        String token = "pair-token-0123456789abcdef";
        io.backpropstreams.http.HttpAccess access = new io.backpropstreams.http.HttpAccess(token.getBytes(StandardCharsets.US_ASCII),
                Set.of("/health"), new io.backpropstreams.http.HttpAccess.Tls(store, io.backpropstreams.http.TestKeystores.PASSWORD.toCharArray()));
        HttpClient https = HttpClient.newBuilder().sslContext(io.backpropstreams.http.TestKeystores.trusting(store))
                .connectTimeout(Duration.ofSeconds(5)).build();
        String applicationId = "two-secured-instances-it-" + System.nanoTime();
        try (TrainerService c = startSecured(applicationId, stateC, access); TrainerService d = startSecured(applicationId, stateD, access)) {
            awaitBalancedAssignment(c, d);
            for (TrainerService s : List.of(c, d)) {
                await("every model at step " + SAMPLES_PER_MODEL + " on the secured pair, port " + s.httpPort(),
                        () -> steps(send(https, s, "/models", token)),
                        steps -> steps.keySet().equals(SPECS.keySet()) && steps.values().stream().allMatch(v -> v == SAMPLES_PER_MODEL));
            }
            Set<String> localC = localModels(c);
            assertFalse(localC.isEmpty() || localC.size() == SPECS.size(), "each of the pair owns some models: " + localC);
            for (String id : SPECS.keySet()) {
                HttpResponse<String> fromC = send(https, c, "/models/" + id, token);
                HttpResponse<String> fromD = send(https, d, "/models/" + id, token);
                assertEquals(200, fromC.statusCode(), id + " from C: " + fromC.body());
                assertEquals(200, fromD.statusCode(), id + " from D: " + fromD.body());
                assertEquals(fromC.body(), fromD.body(), id + ": the forwarded answer is the owner's");
                assertEquals(401, send(https, c, "/models/" + id, null).statusCode(), id + " without the token");
                assertEquals(401, send(https, d, "/models/" + id, "wrong-token-0123456789").statusCode(), id + " with a wrong token");
            }
        }
    }

    private static TrainerService startSecured(String applicationId, Path stateDir, io.backpropstreams.http.HttpAccess access) {
        return TrainerService.start(config(applicationId, stateDir), "127.0.0.1", 0, access, "127.0.0.1", PARTITIONS, WAIT,
                Trainer.StartupListener.withDeadline(WAIT, kafka.bootstrapServers()), line -> { });
    }

    private static HttpResponse<String> send(HttpClient client, TrainerService s, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.httpPort() + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- helpers

    private static Set<String> localModels(TrainerService s) {
        Set<String> ids = new TreeSet<>();
        for (Map.Entry<String, ModelState> e : new ModelQueries(s.trainer().streams(), host(s)).localAll()) {
            ids.add(e.getKey());
        }
        return ids;
    }

    private static HostInfo host(TrainerService s) {
        return new HostInfo("127.0.0.1", s.httpPort());
    }

    /** The partition the default partitioner (and Streams' metadata) gives a String key. */
    private static int partitionOf(String id) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** Model id to step, from a GET /models answer; empty unless 200. */
    private static Map<String, Long> steps(HttpResponse<String> r) throws IOException {
        Map<String, Long> steps = new TreeMap<>();
        if (r.statusCode() == 200) {
            JSON.readTree(r.body()).forEach(m -> steps.put(m.get("modelId").asText(), m.get("step").asLong()));
        }
        return steps;
    }

    private static Map<String, JsonNode> listing(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        Map<String, JsonNode> byId = new TreeMap<>();
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).forEach(m -> {
            ids.add(m.get("modelId").asText());
            byId.put(m.get("modelId").asText(), m);
        });
        assertEquals(ids.size(), byId.size(), "each model listed once: " + ids);
        return byId;
    }

    private static HttpResponse<String> get(TrainerService s, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(TrainerService s, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(TrainerService s, String path) {
        return URI.create("http://127.0.0.1:" + s.httpPort() + path);
    }

    private static List<Integer> ints(JsonNode array) {
        assertNotNull(array);
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static double[] doubles(JsonNode array) {
        assertNotNull(array, "array missing");
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
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
}
