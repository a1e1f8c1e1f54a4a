package io.backpropstreams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The trainer's HTTP endpoints, on the JDK's own {@link HttpServer}.
 * <ul>
 *   <li>{@code GET /health}: the Kafka Streams state; 200 when RUNNING or REBALANCING, 503 otherwise.</li>
 * </ul>
 */
public final class TrainerHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerHttpServer.class);

    private final HttpServer server;

    private TrainerHttpServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code port} (0 picks a free one).
     *
     * @throws IOException if the port cannot be bound
     */
    public static TrainerHttpServer start(int port, KafkaStreams streams) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", exchange -> {
            KafkaStreams.State state = streams.state();
            boolean ok = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
            respond(exchange, ok ? 200 : 503, "application/json", "{\"state\":\"" + state + "\"}");
        });
        server.start();
        LOG.info("HTTP server on port {}", server.getAddress().getPort());
        return new TrainerHttpServer(server);
    }

    /** Registers another handler, for endpoints added by other components. */
    public void route(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Writes a complete response. */
    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
