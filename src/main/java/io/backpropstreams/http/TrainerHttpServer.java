package io.backpropstreams.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.ParameterLayout;
import io.backpropstreams.topology.ModelIds;
import io.backpropstreams.topology.ModelState;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trainer's HTTP endpoints, on Jetty 12's core server (no servlets).
 * <ul>
 *   <li>{@code GET /} the live dashboard; {@code GET /health} the Streams state.</li>
 *   <li>{@code GET /metrics} Prometheus text: Kafka Streams metrics and per-model training meters.</li>
 *   <li>{@code GET /models} id, shape, step and loss EMA of every model, from every instance; for a model that
 *       has classified a sample also {@code classified}, {@code correct}, {@code accuracy} and {@code accuracyEma}.</li>
 *   <li>{@code GET /models/{id}} current weights and biases with the step (interactive query).</li>
 *   <li>{@code POST /models/{id}/predict} {@code {"input":[..]}}: a forward pass on the live weights; it does not train.</li>
 *   <li>{@code GET /models/{id}/curve?since=STEP} the learning curve seen by this instance, after STEP (empty
 *       until it has seen the model's progress), with the accuracy EMA per point (null before the first
 *       classification sample).</li>
 *   <li>{@code GET /stats} throughput and dead letters by reason, and their history: one point a second for the
 *       last ten minutes ({@code history.time} in epoch seconds, {@code history.samplesPerSecond},
 *       {@code history.deadLetters} so far).</li>
 * </ul>
 * With several instances ({@code application.server}), a model query is answered by the instance
 * whose task owns the model, and forwarded there by any other. Errors are JSON
 * {@code {"error": "..."}}: 404 for an unknown model, 400 for a bad body, 503 while rebalancing.
 *
 * <p>The server binds before the trainer starts (so a free port is known for
 * {@code application.server}) and answers 503 until {@link #attach} hands it the trainer.
 *
 * <p>A slow or hostile client cannot stall it. Jetty reads request headers without blocking a
 * thread, so idle or half-sent requests cost a socket, not a worker. A connection that sends
 * nothing for {@link #IDLE_TIMEOUT} is closed. Headers are at most {@link #MAX_HEADER_BYTES} and
 * a body at most {@link #MAX_BODY_BYTES} (413 beyond), arriving within {@link HttpCall#BODY_TIMEOUT} (408 after). At most {@link #MAX_CONNECTIONS} connections
 * are open at once; further ones wait in the accept queue. Unsupported methods get 405 with
 * {@code Allow}, HEAD is answered wherever GET is, and error bodies never carry Java class names.
 * Model ids in paths must follow {@link ModelIds}.
 */
public final class TrainerHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerHttpServer.class);
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final String FORWARDED = "X-BPS-Forwarded";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** A connection with no bytes in either direction for this long is closed, mid-request or idle. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** Request line and headers together. */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    /** A predict body: 1 MiB holds an input of about 50,000 numbers. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** Open connections at once; more wait in the accept queue until one closes. */
    public static final int MAX_CONNECTIONS = 1_000;
    private static final int MAX_THREADS = 32;

    private final Server server;
    private final ServerConnector connector;
    private final HttpAccess access;
    /** Asking another instance must end well inside our own idle timeout, so that the caller gets a 503, not a reset. */
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);
    private final HttpClient client;
    private volatile Attached attached;
    private volatile java.util.function.Supplier<io.backpropstreams.kafka.ClusterWatch.Status> cluster;

    private record Attached(KafkaStreams streams, ModelQueries queries, TrainingMonitor monitor, PrometheusMeterRegistry registry) {
    }

    private TrainerHttpServer(Server server, ServerConnector connector, HttpAccess access, HttpClient client) {
        this.server = server;
        this.connector = connector;
        this.access = access;
        this.client = client;
    }

    /**
     * The address {@code run} listens on unless told otherwise: this machine only. The server hands
     * out every model's weights and runs predictions, so reaching it from elsewhere is a choice
     * ({@code --http-host 0.0.0.0}), not a default.
     */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Binds {@code port} on {@value #DEFAULT_HOST} (0 picks a free one) and starts serving.
     *
     * @throws IOException if the port cannot be bound
     */
    public static TrainerHttpServer start(int port) throws IOException {
        return start(DEFAULT_HOST, port);
    }

    /**
     * Binds {@code host:port} ({@code host} null for every interface; port 0 picks a free one)
     * and starts serving.
     *
     * @throws IOException if the address cannot be bound
     */
    public static TrainerHttpServer start(String host, int port) throws IOException {
        return start(host, port, HttpAccess.none());
    }

    /**
     * Binds {@code host:port} and starts serving, with {@code access}'s token and TLS.
     *
     * @throws IOException if the address cannot be bound or the key store cannot be read
     */
    public static TrainerHttpServer start(String host, int port, HttpAccess access) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        config.setRequestHeaderSize(MAX_HEADER_BYTES);
        config.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        config.setHttpCompliance(HttpCompliance.RFC9110);
        ServerConnector connector;
        HttpClient.Builder peers = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (access.tls() != null) {
            TlsSupport.Server tls = TlsSupport.server(access.tls());
            // no SNI host check: instances are often reached by an address the certificate does not name
            org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            config.addCustomizer(secure);
            connector = new ServerConnector(server, 1, 1,
                    new org.eclipse.jetty.server.SslConnectionFactory(tls.factory(), "http/1.1"), new HttpConnectionFactory(config));
            peers.sslContext(tls.peerContext());
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        TrainerHttpServer http = new TrainerHttpServer(server, connector, access, peers.build());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                http.handle(new HttpCall(request, response, callback));
                return true;
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException("cannot start the HTTP server on port " + port + ": " + e.getMessage(), e);
        }
        LOG.info("HTTP{} server on port {}", access.tls() == null ? "" : "S", connector.getLocalPort());
        return http;
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("HTTP server did not stop cleanly", e);
        }
    }

    /** Connects the endpoints to a running trainer. */
    /** Lets {@code /health} report whether the Kafka cluster answers. */
    public void watchCluster(java.util.function.Supplier<io.backpropstreams.kafka.ClusterWatch.Status> status) {
        this.cluster = status;
    }

    public void attach(KafkaStreams streams, HostInfo self, TrainingMonitor monitor, PrometheusMeterRegistry registry) {
        this.attached = new Attached(streams, new ModelQueries(streams, self), monitor, registry);
    }

    /** The address bound, as given ({@value #DEFAULT_HOST} by default; null for every interface). */
    public String boundHost() {
        return connector.getHost();
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    private void handle(HttpCall ex) {
        try {
            route(ex);
        } catch (InvalidStateStoreException e) {
            ex.error(503, "model store not ready (the trainer is rebalancing or restoring); retry shortly");
        } catch (HttpCall.BodyTooLarge e) {
            ex.error(413, e.getMessage());
        } catch (HttpCall.BodyTooSlow e) {
            ex.error(408, e.getMessage());
        } catch (Unavailable | PeerUnavailable e) {
            ex.error(503, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} {} failed", ex.method(), ex.path(), e);
            ex.error(500, "internal error; the trainer's log has the details");
        } finally {
            if (!ex.answered()) {
                ex.error(500, "internal error; the trainer's log has the details");
            }
        }
    }

    private void route(HttpCall ex) throws IOException, HttpCall.BodyTooLarge, HttpCall.BodyTooSlow {
        String path = ex.path();
        if (path == null) {
            ex.error(400, "bad request path");
            return;
        }
        Asset page = ASSETS.get(path);
        if (page == null && access.requiresToken(path) && !access.authorizes(ex.header("Authorization"))) {
            ex.unauthorized(ex.hasHeader("Authorization") ? "wrong token" : "this server requires a token: send Authorization: Bearer TOKEN "
                    + "(the dashboard takes it in its address: /#token=TOKEN)");
            return;
        }
        if (page != null) {
            if (readOnly(ex)) {
                resource(ex, page.resource(), page.contentType());
            }
            return;
        }
        apiRoute(ex, path, ex.method());
    }

    /** True for GET and HEAD; otherwise answers 405. */
    /** A file of the dashboard, served from the classpath. */
    private record Asset(String resource, String contentType) {
    }

    private static final Map<String, Asset> ASSETS = Map.of(
            "/", new Asset("dashboard/index.html", "text/html; charset=utf-8"),
            "/index.html", new Asset("dashboard/index.html", "text/html; charset=utf-8"),
            "/dashboard.js", new Asset("dashboard/dashboard.js", "text/javascript; charset=utf-8"),
            "/dashboard.css", new Asset("dashboard/dashboard.css", "text/css; charset=utf-8"),
            "/favicon.svg", new Asset("dashboard/favicon.svg", "image/svg+xml"),
            "/assets/uPlot.iife.min.js", new Asset(UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "/assets/uPlot.min.css", new Asset(UPLOT + "uPlot.min.css", "text/css; charset=utf-8"));

    private static boolean readOnly(HttpCall ex) {
        if (ex.method().equals("GET") || ex.method().equals("HEAD")) {
            return true;
        }
        ex.methodNotAllowed("GET, HEAD", "use GET");
        return false;
    }

    /** True if {@code id} follows {@link ModelIds}; otherwise answers 400. */
    private static boolean validId(HttpCall ex, String id) {
        String problem = ModelIds.problem(id);
        if (problem == null) {
            return true;
        }
        ex.error(400, problem);
        return false;
    }

    private void apiRoute(HttpCall ex, String path, String method) throws IOException, HttpCall.BodyTooLarge, HttpCall.BodyTooSlow {
        Attached a = attached;
        if (path.equals("/health")) {
            if (!readOnly(ex)) {
                return;
            }
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
            ex.respond(ok ? 200 : 503, "application/json", body.toString());
            return;
        }
        String[] parts = path.split("/", -1);
        boolean known = path.equals("/metrics") || path.equals("/stats") || path.equals("/models") || path.equals("/models/")
                || (parts.length == 3 && parts[1].equals("models"))
                || (parts.length == 4 && parts[1].equals("models") && (parts[3].equals("predict") || parts[3].equals("curve")));
        if (!known) {
            ex.error(404, "no such endpoint; see GET /, /health, /metrics, /stats, /models, /models/{id}, /models/{id}/curve, "
                    + "POST /models/{id}/predict");
            return;
        }
        boolean predict = parts.length == 4 && parts[3].equals("predict");
        if (predict) {
            if (!method.equals("POST")) {
                ex.methodNotAllowed("POST", "predict takes POST with {\"input\":[...]}");
                return;
            }
        } else if (!readOnly(ex)) {
            return;
        }
        boolean list = path.equals("/models") || path.equals("/models/");
        if (!list && parts.length >= 3 && !validId(ex, parts[2])) {
            return;
        }
        if (a == null) {
            ex.error(503, "trainer is starting");
            return;
        }
        if (path.equals("/metrics")) {
            ex.respond(200, PrometheusScrape.CONTENT_TYPE, PrometheusScrape.withoutNaN(a.registry()));
        } else if (path.equals("/stats")) {
            ObjectNode o = JSON.createObjectNode();
            o.put("samplesPerSecond", a.monitor().samplesPerSecond());
            o.put("models", a.monitor().models().size());
            ObjectNode dl = o.putObject("deadLetters");
            a.monitor().deadLettersByReason().forEach(dl::put);
            StatsHistory.Snapshot h = a.monitor().history();
            ObjectNode history = o.putObject("history");
            ArrayNode time = history.putArray("time");
            ArrayNode rate = history.putArray("samplesPerSecond");
            ArrayNode dead = history.putArray("deadLetters");
            for (int k = 0; k < h.epochSecond().length; k++) {
                time.add(h.epochSecond()[k]);
                rate.add(h.samplesPerSecond()[k]);
                dead.add(h.deadLetters()[k]);
            }
            ex.respond(200, "application/json", o.toString());
        } else if (list) {
            listModels(ex, a);
        } else if (parts.length == 3) {
            String id = parts[2];
            modelQuery(ex, a, id, () -> modelJson(id, a));
        } else if (predict) {
            predict(ex, a, parts[2]);
        } else {
            curve(ex, a, parts[2]);
        }
    }

    private interface JsonSupplier {
        Optional<String> get() throws IOException;
    }

    private void modelQuery(HttpCall ex, Attached a, String id, JsonSupplier local) throws IOException {
        ModelQueries.Owner owner = isForwarded(ex) ? new ModelQueries.Local() : a.queries().ownerOf(id);
        if (owner instanceof ModelQueries.Remote remote) {
            forward(ex, remote.host(), null);
        } else if (owner instanceof ModelQueries.Unknown unknown) {
            ex.error(503, unknown.why());
        } else {
            Optional<String> body = local.get();
            if (body.isPresent()) {
                ex.respond(200, "application/json", body.get());
            } else {
                ex.error(404, "no model '" + id + "'");
            }
        }
    }

    /** Another instance that owns the model did not answer: 503, naming it. */
    private static final class PeerUnavailable extends RuntimeException {
        PeerUnavailable(HostInfo host, String why) {
            super("instance " + host.host() + ":" + host.port() + " that owns this did not answer (" + why + "); retry shortly");
        }
    }

    /** A model whose stored state cannot be read: 503 with the reason, for this model only. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String id, ModelState state) {
            super("model '" + id + "' is unavailable: its stored state cannot be read (" + state.unreadableReason()
                    + "); send its spec again (model create) to reset it");
        }
    }

    private Optional<String> modelJson(String id, Attached a) {
        return a.queries().local(id).map(state -> {
            if (!state.isReadable()) {
                throw new Unavailable(id, state);
            }
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

    private void listModels(HttpCall ex, Attached a) throws IOException {
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
                    ex.error(503, "instance " + host + " answered " + r.statusCode() + " for /models");
                    return;
                }
            }
        }
        ex.respond(200, "application/json", list.toString());
    }

    private static ObjectNode modelSummary(String id, ModelState state) {
        ObjectNode o = JSON.createObjectNode();
        o.put("modelId", id);
        if (!state.isReadable()) {
            return o.put("unavailable", state.unreadableReason());
        }
        ArrayNode shape = o.putArray("shape");
        state.network().spec().layers().forEach(shape::add);
        o.put("step", state.network().step());
        if (Double.isNaN(state.lossEma())) {
            o.putNull("lossEma");
        } else {
            o.put("lossEma", state.lossEma());
        }
        // only a model that has classified a sample has an accuracy; a regression model's JSON is as before
        if (state.classified() > 0) {
            o.put("classified", state.classified());
            o.put("correct", state.correct());
            o.put("accuracy", state.accuracy());
            o.put("accuracyEma", state.accuracyEma());
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

    private void predict(HttpCall ex, Attached a, String id) throws IOException, HttpCall.BodyTooLarge, HttpCall.BodyTooSlow {
        byte[] body = ex.body(MAX_BODY_BYTES);
        ModelQueries.Owner owner = isForwarded(ex) ? new ModelQueries.Local() : a.queries().ownerOf(id);
        if (owner instanceof ModelQueries.Remote remote) {
            forward(ex, remote.host(), body);
            return;
        }
        if (owner instanceof ModelQueries.Unknown unknown) {
            ex.error(503, unknown.why());
            return;
        }
        Optional<ModelState> state = a.queries().local(id);
        if (state.isEmpty()) {
            ex.error(404, "no model '" + id + "'");
            return;
        }
        if (!state.get().isReadable()) {
            throw new Unavailable(id, state.get());
        }
        Network network = state.get().network();
        double[] input;
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode arr = root == null ? null : root.get("input");
            if (arr == null || !arr.isArray()) {
                ex.error(400, "body must be {\"input\":[numbers]}");
                return;
            }
            input = new double[arr.size()];
            for (int i = 0; i < input.length; i++) {
                if (!arr.get(i).isNumber()) {
                    ex.error(400, "input[" + i + "] is not a number: " + arr.get(i));
                    return;
                }
                input[i] = arr.get(i).asDouble();
                if (!Double.isFinite(input[i])) {
                    ex.error(400, "input[" + i + "] is not a finite number: " + arr.get(i));
                    return;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ex.error(400, "body is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        if (input.length != network.spec().inputSize()) {
            ex.error(400, "input has " + input.length + " values, model '" + id + "' expects " + network.spec().inputSize());
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
        ex.respond(200, "application/json", o.toString());
    }

    private void curve(HttpCall ex, Attached a, String id) throws IOException {
        long since = 0;
        String q = ex.query();
        if (q != null && q.startsWith("since=")) {
            try {
                since = Long.parseLong(q.substring(6));
            } catch (NumberFormatException e) {
                ex.error(400, "since must be a step number, got '" + q.substring(6) + "'");
                return;
            }
        }
        // a model this instance has seen no progress of yet has an empty curve, not an error: the dashboard
        // asks as soon as a model is listed, which can be a commit before its first progress record
        Optional<ModelStats> stats = a.monitor().model(id);
        ObjectNode o = JSON.createObjectNode();
        o.put("modelId", id);
        ArrayNode steps = o.putArray("step");
        ArrayNode loss = o.putArray("loss");
        ArrayNode ema = o.putArray("lossEma");
        ArrayNode accuracyEma = o.putArray("accuracyEma");
        long after = since;
        for (ModelStats.Point p : stats.map(st -> st.curveSince(after)).orElse(List.of())) {
            steps.add(p.step());
            loss.add(p.loss());
            ema.add(p.lossEma());
            if (Double.isNaN(p.accuracyEma())) {
                accuracyEma.addNull();
            } else {
                accuracyEma.add(p.accuracyEma());
            }
        }
        ArrayNode drifts = o.putArray("drifts");
        for (ModelStats.Drift d : stats.map(ModelStats::drifts).orElse(List.of())) {
            drifts.addObject().put("step", d.step()).put("detector", d.detector()).put("statistic", d.statistic());
        }
        ex.respond(200, "application/json", o.toString());
    }

    private boolean isForwarded(HttpCall ex) {
        return ex.hasHeader(FORWARDED);
    }

    private void forward(HttpCall ex, HostInfo host, byte[] body) throws IOException {
        HttpResponse<String> r = send(ex, host, ex.method(), ex.path(), body);
        ex.respond(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
    }

    private HttpResponse<String> send(HttpCall ex, HostInfo host, String method, String path, byte[] body) throws IOException {
        String scheme = access.tls() == null ? "http://" : "https://";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + host.host() + ":" + host.port() + path))
                .timeout(PEER_TIMEOUT)
                .header(FORWARDED, "1")
                .header("Content-Type", "application/json");
        if (access.authorizationHeader() != null) {
            b.header("Authorization", access.authorizationHeader());
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailable(host, "interrupted");
        } catch (IOException e) {
            throw new PeerUnavailable(host, e instanceof java.net.http.HttpTimeoutException ? "no answer within "
                    + PEER_TIMEOUT.toSeconds() + " s" : e.getMessage() == null ? "connection failed" : e.getMessage());
        }
    }

    private void resource(HttpCall ex, String name, String contentType) throws IOException {
        try (InputStream in = TrainerHttpServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                ex.error(404, "missing resource " + name);
                return;
            }
            ex.respond(200, contentType, in.readAllBytes());
        }
    }

    @Override
    public void close() {
        stopQuietly(server);
    }
}
