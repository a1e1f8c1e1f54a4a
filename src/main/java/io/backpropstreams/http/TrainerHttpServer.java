package io.backpropstreams.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.ParameterLayout;
import io.backpropstreams.topology.ModelState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The trainer's HTTP endpoints, on the JDK's own {@link HttpServer}.
 * <ul>
 *   <li>{@code GET /} the live dashboard; {@code GET /health} the Streams state.</li>
 *   <li>{@code GET /metrics} Prometheus text: Kafka Streams metrics and per-model training meters.</li>
 *   <li>{@code GET /models} id, shape, step and loss EMA of every model, from every instance.</li>
 *   <li>{@code GET /models/{id}} current weights and biases with the step (interactive query).</li>
 *   <li>{@code POST /models/{id}/predict} {@code {"input":[..]}}: a forward pass on the live weights; it does not train.</li>
 *   <li>{@code GET /models/{id}/curve?since=STEP} the learning curve seen by this instance.</li>
 *   <li>{@code GET /stats} throughput and dead letters by reason.</li>
 * </ul>
 * With several instances ({@code application.server}), a model query is answered by the instance
 * whose task owns the model, and forwarded there by any other. Errors are JSON
 * {@code {"error": "..."}}: 404 for an unknown model, 400 for a bad body, 503 while rebalancing.
 *
 * <p>The server binds before the trainer starts (so a free port is known for
 * {@code application.server}) and answers 503 until {@link #attach} hands it the trainer.
 */
public final class TrainerHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORWARDED = "X-BPS-Forwarded";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private volatile Attached attached;
    private volatile java.util.function.Supplier<io.backpropstreams.kafka.ClusterWatch.Status> cluster;

    private record Attached(KafkaStreams streams, ModelQueries queries, TrainingMonitor monitor, PrometheusMeterRegistry registry) {
    }

    private TrainerHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code port} (0 picks a free one) and starts serving.
     *
     * @throws IOException if the port cannot be bound
     */
    public static TrainerHttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        TrainerHttpServer http = new TrainerHttpServer(server, executor);
        server.createContext("/", http::handle);
        server.start();
        LOG.info("HTTP server on port {}", server.getAddress().getPort());
        return http;
    }

    /** Connects the endpoints to a running trainer. */
    /** Lets {@code /health} report whether the Kafka cluster answers. */
    public void watchCluster(java.util.function.Supplier<io.backpropstreams.kafka.ClusterWatch.Status> status) {
        this.cluster = status;
    }

    public void attach(KafkaStreams streams, HostInfo self, TrainingMonitor monitor, PrometheusMeterRegistry registry) {
        this.attached = new Attached(streams, new ModelQueries(streams, self), monitor, registry);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (InvalidStateStoreException e) {
            error(ex, 503, "model store not ready (" + e.getMessage() + "); retry shortly");
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            error(ex, 500, e.toString());
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        switch (path) {
            case "/", "/index.html" -> resource(ex, "dashboard/index.html", "text/html; charset=utf-8");
            case "/dashboard.js" -> resource(ex, "dashboard/dashboard.js", "text/javascript; charset=utf-8");
            case "/dashboard.css" -> resource(ex, "dashboard/dashboard.css", "text/css; charset=utf-8");
            case "/assets/uPlot.iife.min.js" -> resource(ex, UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
            case "/assets/uPlot.min.css" -> resource(ex, UPLOT + "uPlot.min.css", "text/css; charset=utf-8");
            default -> apiRoute(ex, path, method);
        }
    }

    private void apiRoute(HttpExchange ex, String path, String method) throws IOException {
        Attached a = attached;
        if (path.equals("/health")) {
            KafkaStreams.State state = a == null ? null : a.streams().state();
            var c = cluster == null ? null : cluster.get();
            boolean reachable = c == null || c.reachable();
            boolean ok = reachable && (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING);
            var body = JSON.createObjectNode().put("state", state == null ? "STARTING" : state.toString());
            if (c != null) {
                body.put("cluster", c.reachable() ? "reachable" : "unreachable");
                if (c.knownNodes() > 0) {
                    body.put("clusterNodes", c.liveNodes()).put("clusterNodesKnown", c.knownNodes());
                }
                if (!c.reachable()) {
                    body.put("clusterUnreachableSince", c.since().toString());
                    body.put("clusterError", c.lastError());
                }
            }
            respond(ex, ok ? 200 : 503, "application/json", body.toString());
            return;
        }
        if (a == null) {
            error(ex, 503, "trainer is starting");
            return;
        }
        String[] parts = path.split("/");
        if (path.equals("/metrics")) {
            respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", a.registry().scrape());
        } else if (path.equals("/stats")) {
            ObjectNode o = JSON.createObjectNode();
            o.put("samplesPerSecond", a.monitor().samplesPerSecond());
            o.put("models", a.monitor().models().size());
            ObjectNode dl = o.putObject("deadLetters");
            a.monitor().deadLettersByReason().forEach(dl::put);
            respond(ex, 200, "application/json", o.toString());
        } else if (path.equals("/models") || path.equals("/models/")) {
            if (requireGet(ex)) {
                listModels(ex, a);
            }
        } else if (parts.length == 3 && parts[1].equals("models")) {
            if (!requireGet(ex)) {
                return;
            }
            modelQuery(ex, a, decode(parts[2]), () -> modelJson(decode(parts[2]), a));
        } else if (parts.length == 4 && parts[1].equals("models") && parts[3].equals("predict")) {
            if (!method.equals("POST")) {
                error(ex, 405, "predict takes POST with {\"input\":[...]}");
                return;
            }
            predict(ex, a, decode(parts[2]));
        } else if (parts.length == 4 && parts[1].equals("models") && parts[3].equals("curve")) {
            curve(ex, a, decode(parts[2]));
        } else {
            error(ex, 404, "no such endpoint " + path + "; see GET /, /metrics, /models, /models/{id}, POST /models/{id}/predict");
        }
    }

    private interface JsonSupplier {
        Optional<String> get() throws IOException;
    }

    private void modelQuery(HttpExchange ex, Attached a, String id, JsonSupplier local) throws IOException {
        ModelQueries.Owner owner = isForwarded(ex) ? new ModelQueries.Local() : a.queries().ownerOf(id);
        if (owner instanceof ModelQueries.Remote remote) {
            forward(ex, remote.host(), null);
        } else if (owner instanceof ModelQueries.Unknown unknown) {
            error(ex, 503, unknown.why());
        } else {
            Optional<String> body = local.get();
            if (body.isPresent()) {
                respond(ex, 200, "application/json", body.get());
            } else {
                error(ex, 404, "no model '" + id + "'");
            }
        }
    }

    private Optional<String> modelJson(String id, Attached a) {
        return a.queries().local(id).map(state -> {
            ObjectNode o = modelSummary(id, state);
            o.set("layers", layersJson(state.network()));
            NetworkSpec spec = state.network().spec();
            ObjectNode s = o.putObject("spec");
            s.put("learningRate", spec.learningRate());
            s.put("updateRule", spec.updateRule().id());
            s.put("trainBiases", spec.trainBiases());
            s.put("loss", spec.loss().id());
            s.put("optimizer", spec.optimizer().id());
            s.put("publishEvery", state.publishEvery());
            return o.toString();
        });
    }

    private void listModels(HttpExchange ex, Attached a) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        for (Map.Entry<String, ModelState> e : a.queries().localAll()) {
            ObjectNode o = modelSummary(e.getKey(), e.getValue());
            a.monitor().model(e.getKey()).ifPresent(s -> o.put("samplesPerSecond", s.samplesPerSecond(System.currentTimeMillis())));
            list.add(o);
        }
        if (!isForwarded(ex)) {
            for (HostInfo host : a.queries().otherHosts()) {
                HttpResponse<String> r = send(ex, host, "GET", "/models", null);
                if (r.statusCode() == 200) {
                    JSON.readTree(r.body()).forEach(list::add);
                } else {
                    error(ex, 503, "instance " + host + " answered " + r.statusCode() + " for /models");
                    return;
                }
            }
        }
        respond(ex, 200, "application/json", list.toString());
    }

    private static ObjectNode modelSummary(String id, ModelState state) {
        ObjectNode o = JSON.createObjectNode();
        o.put("modelId", id);
        ArrayNode shape = o.putArray("shape");
        state.network().spec().layers().forEach(shape::add);
        o.put("step", state.network().step());
        if (Double.isNaN(state.lossEma())) {
            o.putNull("lossEma");
        } else {
            o.put("lossEma", state.lossEma());
        }
        return o;
    }

    private static ArrayNode layersJson(Network n) {
        ArrayNode layers = JSON.createArrayNode();
        ParameterLayout layout = n.layout();
        for (int l = 1; l <= layout.depth(); l++) {
            ObjectNode layer = layers.addObject();
            layer.put("inputs", layout.size(l - 1));
            layer.put("outputs", layout.size(l));
            layer.put("activation", n.spec().activations().get(l - 1).id());
            ArrayNode w = layer.putArray("weights");
            for (double x : n.weights(l)) {
                w.add(x);
            }
            ArrayNode b = layer.putArray("biases");
            for (double x : n.biases(l)) {
                b.add(x);
            }
        }
        return layers;
    }

    private void predict(HttpExchange ex, Attached a, String id) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(16 * 1024 * 1024);
        }
        ModelQueries.Owner owner = isForwarded(ex) ? new ModelQueries.Local() : a.queries().ownerOf(id);
        if (owner instanceof ModelQueries.Remote remote) {
            forward(ex, remote.host(), body);
            return;
        }
        if (owner instanceof ModelQueries.Unknown unknown) {
            error(ex, 503, unknown.why());
            return;
        }
        Optional<ModelState> state = a.queries().local(id);
        if (state.isEmpty()) {
            error(ex, 404, "no model '" + id + "'");
            return;
        }
        Network network = state.get().network();
        double[] input;
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode arr = root == null ? null : root.get("input");
            if (arr == null || !arr.isArray()) {
                error(ex, 400, "body must be {\"input\":[numbers]}");
                return;
            }
            input = new double[arr.size()];
            for (int i = 0; i < input.length; i++) {
                if (!arr.get(i).isNumber()) {
                    error(ex, 400, "input[" + i + "] is not a number: " + arr.get(i));
                    return;
                }
                input[i] = arr.get(i).asDouble();
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            error(ex, 400, "body is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        if (input.length != network.spec().inputSize()) {
            error(ex, 400, "input has " + input.length + " values, model '" + id + "' expects " + network.spec().inputSize());
            return;
        }
        double[] output = new double[network.spec().outputSize()];
        network.predict(input, output);
        ObjectNode o = JSON.createObjectNode();
        o.put("modelId", id);
        o.put("step", network.step());
        ArrayNode in = o.putArray("input");
        for (double x : input) {
            in.add(x);
        }
        ArrayNode out = o.putArray("output");
        for (double x : output) {
            out.add(x);
        }
        respond(ex, 200, "application/json", o.toString());
    }

    private void curve(HttpExchange ex, Attached a, String id) throws IOException {
        long since = 0;
        String q = ex.getRequestURI().getQuery();
        if (q != null && q.startsWith("since=")) {
            try {
                since = Long.parseLong(q.substring(6));
            } catch (NumberFormatException e) {
                error(ex, 400, "since must be a step number, got '" + q.substring(6) + "'");
                return;
            }
        }
        Optional<ModelStats> stats = a.monitor().model(id);
        if (stats.isEmpty()) {
            error(ex, 404, "no metrics seen for model '" + id + "'");
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("modelId", id);
        ArrayNode steps = o.putArray("step");
        ArrayNode loss = o.putArray("loss");
        ArrayNode ema = o.putArray("lossEma");
        for (ModelStats.Point p : stats.get().curveSince(since)) {
            steps.add(p.step());
            loss.add(p.loss());
            ema.add(p.lossEma());
        }
        respond(ex, 200, "application/json", o.toString());
    }

    private boolean isForwarded(HttpExchange ex) {
        return ex.getRequestHeaders().containsKey(FORWARDED);
    }

    private void forward(HttpExchange ex, HostInfo host, byte[] body) throws IOException {
        HttpResponse<String> r = send(ex, host, ex.getRequestMethod(), ex.getRequestURI().getPath(), body);
        respond(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
    }

    private HttpResponse<String> send(HttpExchange ex, HostInfo host, String method, String path, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header(FORWARDED, "1")
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + host, e);
        }
    }

    private void resource(HttpExchange ex, String name, String contentType) throws IOException {
        try (InputStream in = TrainerHttpServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                error(ex, 404, "missing resource " + name);
                return;
            }
            byte[] bytes = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static boolean requireGet(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("GET")) {
            return true;
        }
        error(ex, 405, "method " + ex.getRequestMethod() + " not allowed here; use GET");
        return false;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        respond(ex, status, "application/json", JSON.createObjectNode().put("error", message).toString());
    }

    /** Writes a complete response. */
    static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
