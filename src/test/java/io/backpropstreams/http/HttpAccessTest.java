package io.backpropstreams.http;

import io.backpropstreams.client.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP server's token, open paths and TLS, without a trainer attached: a request the token
 * lets through reaches the endpoint (which answers 503 "starting" for data), one without it is 401.
 */
class HttpAccessTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpAccess withToken(Set<String> open, HttpAccess.Tls tls) {
        return new HttpAccess(TOKEN.getBytes(StandardCharsets.US_ASCII), open, tls);
    }

    private static HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDefaultBindIsLoopback() throws Exception {
        try (TrainerHttpServer http = TrainerHttpServer.start(0)) {
            assertTrue(InetAddress.getByName(http.boundHost()).isLoopbackAddress(), "bound to " + http.boundHost());
        }
    }

    @Test
    void withATokenDataNeedsItAndTheDashboardAndHealthDoNot() throws Exception {
        try (TrainerHttpServer http = TrainerHttpServer.start("127.0.0.1", 0, withToken(Set.of("/health"), null))) {
            String base = "http://127.0.0.1:" + http.port();
            for (String path : new String[] {"/models", "/models/lecture", "/stats", "/metrics", "/models/lecture/curve"}) {
                HttpResponse<String> none = get(PLAIN, base + path, null);
                assertEquals(401, none.statusCode(), path + ": " + none.body());
                assertEquals("Bearer realm=\"backprop-streams\"", none.headers().firstValue("WWW-Authenticate").orElse(""), path);
                assertEquals(401, get(PLAIN, base + path, "Bearer " + TOKEN.replace('0', '1')).statusCode(), path + " wrong token");
                assertEquals(401, get(PLAIN, base + path, "Basic " + TOKEN).statusCode(), path + " not a bearer token");
                // with the token the request reaches the endpoint: no trainer yet, so 503
                HttpResponse<String> ok = get(PLAIN, base + path, "Bearer " + TOKEN);
                assertEquals(503, ok.statusCode(), path + ": " + ok.body());
            }
            assertEquals(200, get(PLAIN, base + "/", null).statusCode(), "the dashboard page holds no data");
            assertEquals(200, get(PLAIN, base + "/dashboard.js", null).statusCode());
            assertFalse(get(PLAIN, base + "/health", null).statusCode() == 401, "/health stays open for probes");
        }
    }

    @Test
    void metricsCanBeOpenedForPrometheus() throws Exception {
        try (TrainerHttpServer http = TrainerHttpServer.start("127.0.0.1", 0, withToken(HttpAccess.openPaths("/health,/metrics"), null))) {
            String base = "http://127.0.0.1:" + http.port();
            assertEquals(503, get(PLAIN, base + "/metrics", null).statusCode(), "open: reaches the endpoint (no trainer yet)");
            assertEquals(401, get(PLAIN, base + "/models", null).statusCode());
        }
        try (TrainerHttpServer http = TrainerHttpServer.start("127.0.0.1", 0, withToken(HttpAccess.openPaths(""), null))) {
            assertEquals(401, get(PLAIN, "http://127.0.0.1:" + http.port() + "/health", null).statusCode(), "--http-open '' closes /health too");
        }
    }

    @Test
    void tlsServesHttpsWithAKeystoreMadeHere() throws Exception {
        Path store = TestKeystores.create(dir, "server.p12");
        HttpAccess.Tls tls = new HttpAccess.Tls(store, TestKeystores.PASSWORD.toCharArray());
        try (TrainerHttpServer http = TrainerHttpServer.start("127.0.0.1", 0, withToken(Set.of("/health"), tls))) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(TestKeystores.trusting(store)).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "https://127.0.0.1:" + http.port();
            assertEquals(200, get(trusting, base + "/", null).statusCode());
            assertEquals(401, get(trusting, base + "/models", null).statusCode());
            assertEquals(503, get(trusting, base + "/models", "Bearer " + TOKEN).statusCode());
            // a client that does not trust the certificate is refused, and plain HTTP gets no answer
            assertThrows(IOException.class, () -> get(PLAIN, base + "/", null));
            assertThrows(IOException.class, () -> get(PLAIN, "http://127.0.0.1:" + http.port() + "/", null));
        }
    }

    @Test
    void aWrongKeystorePasswordOrFileIsNamed() throws Exception {
        Path store = TestKeystores.create(dir, "server.p12");
        IOException wrong = assertThrows(IOException.class,
                () -> TrainerHttpServer.start("127.0.0.1", 0, withToken(Set.of(), new HttpAccess.Tls(store, "nope".toCharArray()))));
        assertTrue(wrong.getMessage().contains(store.toString()) && wrong.getMessage().contains("wrong password"), wrong.getMessage());
        IOException missing = assertThrows(IOException.class, () -> TrainerHttpServer.start("127.0.0.1", 0,
                withToken(Set.of(), new HttpAccess.Tls(dir.resolve("none.p12"), "x".toCharArray()))));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void tokenFilesAndOpenPathsAreChecked() throws IOException {
        Path good = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        assertEquals(TOKEN, new String(HttpAccess.readToken(good), StandardCharsets.US_ASCII), "trailing newline dropped");
        Path shortOne = Files.writeString(dir.resolve("short"), "secret");
        assertTrue(assertThrows(UserException.class, () -> HttpAccess.readToken(shortOne)).getMessage().contains("at least 16"));
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertTrue(assertThrows(UserException.class, () -> HttpAccess.readToken(empty)).getMessage().contains("is empty"));
        Path spaced = Files.writeString(dir.resolve("spaced"), "0123456789 abcdef0123");
        assertTrue(assertThrows(UserException.class, () -> HttpAccess.readToken(spaced)).getMessage().contains("one line"));
        assertTrue(assertThrows(UserException.class, () -> HttpAccess.readToken(dir.resolve("missing"))).getMessage().contains("no such file"));
        assertEquals(Set.of("/health", "/metrics"), HttpAccess.openPaths("/health, /metrics"));
        UserException bad = assertThrows(UserException.class, () -> HttpAccess.openPaths("/health,/models"));
        assertTrue(bad.getMessage().contains("'/models'"), bad.getMessage());
        assertTrue(assertThrows(UserException.class, () -> HttpAccess.tlsPassword(null, null)).getMessage()
                .contains(HttpAccess.TLS_PASSWORD_ENV));
        assertEquals("from-env", new String(HttpAccess.tlsPassword(null, "from-env")));
        assertFalse(withToken(Set.of(), null).toString().contains(TOKEN), "toString never shows the token");
    }
}
