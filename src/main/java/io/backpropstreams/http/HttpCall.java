package io.backpropstreams.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP request and its response, as the trainer's endpoints see them: method, path, query,
 * a size-limited body, and one complete response with the headers every answer carries. It hides
 * Jetty's asynchronous API from the endpoints, which are plain blocking code.
 *
 * <p>Every response says {@code X-Content-Type-Options: nosniff} and {@code Cache-Control:
 * no-store}; pages also get a strict {@code Content-Security-Policy} (scripts, styles and data
 * from this server only, no framing), so that even a value that slipped into the page as markup
 * could not run.
 */
final class HttpCall {

    /** The dashboard's policy: everything from this origin only, nothing inline, no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long a whole request body may take to arrive; a trickled upload is cut off with 408 after it. */
    static final java.time.Duration BODY_TIMEOUT = java.time.Duration.ofSeconds(10);

    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "http-body-deadline");
                t.setDaemon(true);
                return t;
            });

    /** A request body that did not arrive within {@link #BODY_TIMEOUT}. */
    static final class BodyTooSlow extends Exception {
        BodyTooSlow() {
            super("request body did not arrive within " + BODY_TIMEOUT.toSeconds() + " s");
        }
    }

    /** A request body over the limit. */
    static final class BodyTooLarge extends Exception {
        BodyTooLarge(long limit) {
            super("request body is larger than " + limit + " bytes");
        }
    }

    private final Request request;
    private final Response response;
    private final Callback callback;
    private boolean answered;

    HttpCall(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    String method() {
        return request.getMethod();
    }

    /** The decoded path, e.g. {@code /models/lecture}. */
    String path() {
        return Request.getPathInContext(request);
    }

    /** The raw query string, or null. */
    String query() {
        return request.getHttpURI().getQuery();
    }

    boolean hasHeader(String name) {
        return request.getHeaders().contains(name);
    }

    /** The first value of header {@code name}, or null. */
    String header(String name) {
        return request.getHeaders().get(name);
    }

    /**
     * The whole body, at most {@code limit} bytes.
     *
     * @throws BodyTooLarge if it is longer (declared or sent)
     */
    byte[] body(int limit) throws IOException, BodyTooLarge, BodyTooSlow {
        long declared = request.getLength();
        if (declared > limit) {
            throw new BodyTooLarge(limit);
        }
        // Jetty's idle timeout restarts with every byte, so a client trickling one byte a second would hold
        // this thread for ever: bound the whole body instead, by failing the request's content at the deadline.
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            late.set(true);
            request.fail(new java.util.concurrent.TimeoutException("request body too slow"));
        }, BODY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new BodyTooLarge(limit);
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            if (late.get()) {
                throw new BodyTooSlow();
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    /** Answers with {@code body}; a HEAD request gets the same status and headers without it. */
    void respond(int status, String contentType, byte[] body) {
        if (answered) {
            return;
        }
        answered = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        if (contentType.startsWith("text/html")) {
            response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            response.getHeaders().put("X-Frame-Options", "DENY");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (method().equals("HEAD")) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    void respond(int status, String contentType, String body) {
        respond(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error": message}}. */
    void error(int status, String message) {
        respond(status, "application/json", JSON.createObjectNode().put("error", message).toString());
    }

    /** {@code 405} naming what is allowed, with an {@code Allow} header. */
    void methodNotAllowed(String allowed, String hint) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        error(405, "method " + method() + " not allowed on " + path() + "; " + hint);
    }

    /** {@code 401} with {@code WWW-Authenticate: Bearer}. */
    void unauthorized(String message) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"backprop-streams\"");
        error(401, message);
    }

    boolean answered() {
        return answered;
    }
}
