package io.backpropstreams.it.robust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpropstreams.cli.Main;
import io.backpropstreams.http.TrainerHttpServer;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.topology.DeadLetters;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hostile but honest tester did to a running trainer ({@link TrainerService}: trainer, HTTP
 * server and monitor, on a real broker): specs that once poisoned every model's listing, ids with
 * markup, slow and huge HTTP requests, methods nobody serves. Each must be refused with its
 * reason, and the service, every other model, {@code GET /models}, {@code model list} and
 * {@code model reset} must keep working.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HostileInputIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String MARKUP = "<img src=x onerror=alert(1)>";

    @TempDir
    static Path stateDir;

    private static EmbeddedKafkaBroker kafka;
    private static TrainerService service;
    private static String base;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.builder().start();
        Properties config = kafka.clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "hostile-input-it-" + System.nanoTime());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        service = TrainerService.start(config, 0, null, Trainer.DEFAULT_PARTITIONS, WAIT);
        base = "http://127.0.0.1:" + service.httpPort();
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

    @Test
    void specsThatOncePoisonedEveryListingAreInvalidAndListingsKeepWorking() throws Exception {
        String deep = "{\"layers\":[" + String.join(",", Collections.nCopies(100_000, "1")) + "],\"learningRate\":0.5}";
        String wide = "{\"layers\":[2147483647,2147483647],\"learningRate\":0.5}";
        String good = "{\"layers\":[2,3,1],\"learningRate\":0.5,\"seed\":7}";
        Map<String, String> reasons = Map.of("deep", "invalid-spec", "wide", "invalid-spec", MARKUP, "invalid-model-id",
                "", "invalid-model-id", "a/b", "invalid-model-id");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String[] kv : new String[][] {{"deep", deep}, {"wide", wide}, {MARKUP, good}, {"", good}, {"a/b", good}, {"fine", good}}) {
                producer.send(new ProducerRecord<>(TopicNames.DEFAULTS.models(), utf8(kv[0]), utf8(kv[1]))).get(30, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> dead = RobustSupport.await("5 dead letters", WAIT,
                () -> RobustSupport.readAll(kafka.clientProperties(), TopicNames.DEFAULTS.deadLetters(), WAIT), d -> d.size() >= 5);
        Map<String, String> got = dead.stream().collect(Collectors.toMap(r -> new String(r.key(), StandardCharsets.UTF_8),
                r -> DeadLetters.header(r.headers(), DeadLetters.REASON)));
        assertEquals(reasons, got);
        RobustSupport.await("model 'fine' to be listed", WAIT, () -> get("/models"), r -> r.statusCode() == 200 && r.body().contains("\"fine\""));

        HttpResponse<String> list = get("/models");
        assertEquals(200, list.statusCode(), list.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(list.body()).forEach(m -> ids.add(m.get("modelId").asText()));
        assertEquals(List.of("fine"), ids.stream().filter(id -> !id.equals("lecture")).toList(), list.body());
        assertEquals(200, get("/models/lecture").statusCode());
        assertEquals(404, get("/models/deep").statusCode());

        String bootstrap = kafka.bootstrapServers();
        CliRun listing = cli("model", "list", "-b", bootstrap);
        assertEquals(0, listing.exit, listing.err);
        assertTrue(listing.out.contains("fine"), listing.out);
        assertFalse(listing.out.contains("deep") || listing.out.contains("<img"), listing.out);
        CliRun reset = cli("model", "reset", "lecture", "-b", bootstrap);
        assertEquals(0, reset.exit, reset.err);
        assertEquals("Model 'lecture' reset.", reset.out.strip());
        CliRun create = cli("model", "create", MARKUP, "--spec", "unused.json", "-b", bootstrap);
        assertEquals(2, create.exit, create.err);
        assertTrue(create.err.contains("model id \"" + MARKUP + "\" is not valid"), create.err);
    }

    @Test
    void twoHundredHalfOpenSocketsDoNotStallTheServerAndAreClosedWithinItsTimeout() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", service.httpPort()), 5_000);
                OutputStream out = s.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(s);
            }
            long opened = System.nanoTime();
            for (String path : List.of("/health", "/models/lecture")) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("hostile-http: %s answered %d in %.0f ms with 200 half-open sockets%n", path, r.statusCode(), ms);
                assertEquals(200, r.statusCode(), path + ": " + r.body());
                assertTrue(ms < 1_000, path + " took " + ms + " ms");
            }
            long deadline = opened + TrainerHttpServer.IDLE_TIMEOUT.plusSeconds(5).toNanos();
            int closed = 0;
            for (Socket s : slow) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                s.setSoTimeout((int) left);
                try (InputStream in = s.getInputStream()) {
                    while (in.read() != -1) {
                        // the server may answer 408 before it closes; read to the end
                    }
                    closed++;
                } catch (SocketTimeoutException stillOpen) {
                    break;
                } catch (IOException reset) {
                    closed++;
                }
            }
            System.out.printf("hostile-http: %d of 200 half-open sockets closed by the server %.1f s after they opened%n", closed,
                    (System.nanoTime() - opened) / 1e9);
            assertEquals(200, closed, "half-open sockets the server closed within its idle timeout (" + TrainerHttpServer.IDLE_TIMEOUT + ") + 5 s");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void hostileRequestsGetTheRightStatusAndNoJavaInternals() throws Exception {
        String hugeBody = "{\"input\":[" + "0.1,".repeat(600_000) + "0.1]}";
        // a request that declares 2.4 MB is told 413 before it sends a byte of its body
        URI target = URI.create(base);
        try (java.net.Socket socket = new java.net.Socket(target.getHost(), target.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(utf8("POST /models/lecture/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + hugeBody.length() + "\r\n\r\n"));
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertEquals("HTTP/1.1 413 Payload Too Large", status);
        }
        // one that sends 2.4 MB regardless gets the 413 too, or, when the server closes the connection on the body it will
        // not read before the client has read the answer, a closed connection; either way it is not served, and the server
        // goes on answering
        try {
            HttpResponse<String> blasted = send("POST", "/models/lecture/predict", hugeBody);
            assertEquals(413, blasted.statusCode(), blasted.body());
        } catch (java.io.IOException closedOnTheBody) {
            System.out.println("hostile-http: the 2.4 MB body without Expect: 100-continue met a closed connection: " + closedOnTheBody);
        }
        assertEquals(200, get("/health").statusCode(), "the server answers after a huge body");
        HttpResponse<String> overflow = send("POST", "/models/lecture/predict", "{\"input\":[1e309,0.1]}");
        assertEquals(400, overflow.statusCode(), overflow.body());
        assertTrue(overflow.body().contains("input[0] is not a finite number"), overflow.body());
        HttpResponse<String> duplicate = send("POST", "/models/lecture/predict", "{\"input\":[0.05,0.1],\"input\":[9,9]}");
        assertEquals(400, duplicate.statusCode(), duplicate.body());
        for (String[] mp : new String[][] {{"PATCH", "/"}, {"TRACE", "/"}, {"POST", "/health"}, {"DELETE", "/models/lecture"},
                {"PUT", "/metrics"}, {"GET", "/models/lecture/predict"}}) {
            HttpResponse<String> r = send(mp[0], mp[1], mp[0].equals("GET") ? null : "{}");
            assertEquals(405, r.statusCode(), mp[0] + " " + mp[1] + ": " + r.body());
            assertTrue(r.headers().firstValue("Allow").isPresent(), mp[0] + " " + mp[1] + " names what is allowed");
        }
        for (String path : List.of("/", "/health", "/models", "/models/lecture", "/metrics", "/dashboard.js")) {
            HttpResponse<String> g = get(path);
            HttpResponse<String> h = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(g.statusCode(), h.statusCode(), "HEAD " + path);
            assertEquals(g.headers().firstValue("Content-Type"), h.headers().firstValue("Content-Type"), "HEAD " + path);
            assertEquals("", h.body(), "HEAD " + path);
        }
        assertEquals(200, get("/models/").statusCode(), "/models/ lists the models as /models does");
        HttpResponse<String> bigHeader = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).header("X-Big", "y".repeat(16_000))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(431, bigHeader.statusCode(), "headers over " + TrainerHttpServer.MAX_HEADER_BYTES + " bytes");
        HttpResponse<String> page = get("/");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"), page.headers().toString());
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        HttpResponse<String> markup = get("/models/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E");
        assertEquals(400, markup.statusCode(), markup.body());
        assertTrue(markup.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        for (HttpResponse<String> r : List.of(overflow, duplicate, markup, get("/nowhere"))) {
            JsonNode body = JSON.readTree(r.body());
            assertTrue(body.has("error"), r.body());
            assertFalse(r.body().matches("(?s).*\\b(java|org|com)\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)\\b.*"), "no Java class names: " + r.body());
        }
    }

    /** A predict body trickled in a few bytes at a time must not hold a server thread for long. */
    @Test
    void aTrickledRequestBodyIsCutOffAndTheServerKeepsAnswering() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", service.httpPort()), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /models/lecture/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"input\":[").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            s.setSoTimeout(1_000);
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                try {
                    out.write('1');
                    out.write(',');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    int b = in.read();
                    if (b == -1) {
                        break;
                    }
                    answer.append((char) b);
                    while (in.available() > 0 && (b = in.read()) != -1) {
                        answer.append((char) b);
                    }
                    break;
                } catch (SocketTimeoutException keepTrickling) {
                    // the server is still reading; send two more bytes after a second
                } catch (IOException reset) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("hostile-http: a body trickled at 2 bytes/s was cut off after %.1f s: %s%n", seconds,
                    answer.toString().lines().findFirst().orElse("(connection closed)"));
            assertTrue(seconds < 15, "the server cut the trickled body off after its 10 s body timeout: " + seconds + " s");
            assertTrue(answer.toString().startsWith("HTTP/1.1 408"), "408 Request Timeout: " + answer);
            assertEquals(200, get("/health").statusCode());
        }
    }

    private record CliRun(int exit, String out, String err) {
    }

    private static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
