package io.backpropstreams.http;

import io.backpropstreams.client.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may use the trainer's HTTP server, and over what: an optional bearer token, the paths that
 * stay open without it, and optional TLS.
 *
 * <p>With a token, every request for data ({@code /models…}, {@code /stats}, {@code /metrics}
 * unless opened) must carry {@code Authorization: Bearer TOKEN}; others get 401. The token is
 * compared with {@link MessageDigest#isEqual}, whose time does not depend on where the bytes
 * differ. The dashboard's static files hold no data, so they stay open; the page sends the token
 * it is given in its address ({@code /#token=…}). {@code /health} stays open by default, for
 * probes; {@code --http-open /health,/metrics} opens {@code /metrics} too, for Prometheus.
 *
 * @param token     the bearer token's bytes, or null for none (everything open)
 * @param openPaths paths served without the token
 * @param tls       the key store to serve HTTPS with, or null for plain HTTP
 */
public record HttpAccess(byte[] token, Set<String> openPaths, Tls tls) {

    /** The paths open without a token unless {@code --http-open} says otherwise. */
    public static final List<String> DEFAULT_OPEN = List.of("/health");
    /** The paths {@code --http-open} may name. */
    public static final List<String> OPENABLE = List.of("/health", "/metrics");
    /** Where {@code run} reads the key store's password when no password file is given. */
    public static final String TLS_PASSWORD_ENV = "BPS_HTTP_TLS_PASSWORD";
    /** Tokens shorter than this are refused: a guessable token is no protection. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /**
     * A PKCS12 or JKS key store holding the server's key and certificate; instance-to-instance
     * forwarding trusts the certificates in it.
     */
    public record Tls(Path keystore, char[] password) {
    }

    public HttpAccess {
        openPaths = Set.copyOf(openPaths);
    }

    /** No token, plain HTTP: the server as it is without options. */
    public static HttpAccess none() {
        return new HttpAccess(null, Set.copyOf(DEFAULT_OPEN), null);
    }

    /** True if requests for {@code path} must carry the token. */
    public boolean requiresToken(String path) {
        return token != null && !openPaths.contains(path);
    }

    /** True if {@code authorization} (the header's value, or null) is {@code Bearer TOKEN}. */
    public boolean authorizes(String authorization) {
        if (token == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    /** The {@code Authorization} header value that forwards carry, or null without a token. */
    public String authorizationHeader() {
        return token == null ? null : "Bearer " + new String(token, StandardCharsets.UTF_8);
    }

    /**
     * Reads a token file: its content, without surrounding white space.
     *
     * @throws UserException naming the file if it is missing, unreadable, empty, too short or not one line
     */
    public static byte[] readToken(Path file) {
        String text = readSecret(file, "--http-token-file");
        if (text.length() < MIN_TOKEN_LENGTH) {
            throw new UserException("--http-token-file " + file + ": the token has " + text.length() + " characters; use at least "
                    + MIN_TOKEN_LENGTH + " random ones (for example: openssl rand -hex 32 > " + file + ")");
        }
        if (text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new UserException("--http-token-file " + file + ": the token must be one line of printable ASCII without spaces");
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The paths of {@code --http-open}: a comma-separated subset of {@link #OPENABLE}, or empty.
     *
     * @throws UserException naming the first path that is not openable
     */
    public static Set<String> openPaths(String list) {
        Set<String> paths = new LinkedHashSet<>();
        for (String p : list.split(",")) {
            String path = p.trim();
            if (path.isEmpty()) {
                continue;
            }
            if (!OPENABLE.contains(path)) {
                throw new UserException("--http-open: '" + path + "' cannot be opened; only " + String.join(" and ", OPENABLE)
                        + " may be served without the token");
            }
            paths.add(path);
        }
        return paths;
    }

    /**
     * The key store's password: the first line of {@code passwordFile} if given, else the
     * environment variable {@value #TLS_PASSWORD_ENV}. Never a command-line value, which every
     * user of the machine can read in the process list.
     *
     * @throws UserException if neither is set, or the file cannot be read
     */
    public static char[] tlsPassword(Path passwordFile, String fromEnvironment) {
        if (passwordFile != null) {
            return readSecret(passwordFile, "--http-tls-password-file").toCharArray();
        }
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment.toCharArray();
        }
        throw new UserException("--http-tls-keystore needs its password: give --http-tls-password-file FILE or set "
                + TLS_PASSWORD_ENV);
    }

    private static String readSecret(Path file, String option) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new UserException(option + " " + file + " is empty");
            }
            return text;
        } catch (NoSuchFileException e) {
            throw new UserException(option + " " + file + ": no such file");
        } catch (IOException e) {
            throw new UserException(option + " " + file + " cannot be read: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpAccess a && Arrays.equals(token, a.token) && openPaths.equals(a.openPaths)
                && java.util.Objects.equals(tls, a.tls);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(token) * 31 + openPaths.hashCode();
    }

    @Override
    public String toString() {
        // never the token or the password
        return "HttpAccess[token=" + (token == null ? "none" : "set") + ", open=" + openPaths + ", tls=" + (tls == null ? "off" : tls.keystore()) + "]";
    }
}
