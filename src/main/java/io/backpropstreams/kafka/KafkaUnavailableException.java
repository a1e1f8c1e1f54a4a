package io.backpropstreams.kafka;

/**
 * No Kafka cluster answered at the given bootstrap servers in time. Kafka's own clients retry
 * silently for minutes; this exception turns that into one message that names the address, so a
 * typo in {@code --bootstrap-servers} or a broker that is not running is obvious.
 */
public final class KafkaUnavailableException extends RuntimeException {

    private final String bootstrapServers;

    /** Keeps the address separate from the message, so that callers can print or test it. */
    public KafkaUnavailableException(String bootstrapServers, String message, Throwable cause) {
        super(message, cause);
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * No answer at {@code bootstrap} within {@code timeoutMs}, with the likeliest cause: if a
     * server accepts TCP connections there, it is not speaking the protocol this client uses (a
     * SASL or TLS listener reached as PLAINTEXT, or the reverse), so the message names
     * {@code security.protocol} instead of asking whether a broker runs.
     */
    public static KafkaUnavailableException noAnswer(String bootstrap, java.util.Properties config, long timeoutMs, Throwable cause) {
        String protocol = config.getProperty("security.protocol", "PLAINTEXT").toUpperCase(java.util.Locale.ROOT);
        String listening = firstListening(bootstrap);
        String within = timeoutMs > 0 ? "within " + timeoutMs + " ms" : "in time";
        String message;
        if (listening == null) {
            message = "No Kafka broker answered at " + bootstrap + " within " + timeoutMs + " ms (is a broker running there?)";
        } else if (protocol.equals("PLAINTEXT")) {
            message = "A server accepts connections at " + listening + " but did not answer as a PLAINTEXT Kafka broker " + within
                    + ": if its listener requires SASL or TLS, set security.protocol (SASL_PLAINTEXT, SASL_SSL or SSL) "
                    + "and the sasl.* or ssl.* settings in the --config file; if it is a Kafka broker, check that its "
                    + "advertised.listeners name an address reachable from here";
        } else {
            message = "A server accepts connections at " + listening + " but did not complete a " + protocol + " Kafka handshake " + within
                    + ": check that its listener uses " + protocol + " (security.protocol in the --config file) and that its "
                    + "advertised.listeners name an address reachable from here";
        }
        return new KafkaUnavailableException(bootstrap, message, cause);
    }

    /** The first {@code host:port} of {@code bootstrap} that accepts a TCP connection, or null. */
    private static String firstListening(String bootstrap) {
        if (bootstrap == null) {
            return null;
        }
        for (String server : bootstrap.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                String host = s.substring(0, colon).replace("[", "").replace("]", "");
                socket.connect(new java.net.InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1))), 500);
                return s;
            } catch (java.io.IOException | RuntimeException e) {
                // not listening, not resolvable or not a port: try the next
            }
        }
        return null;
    }

    /** The address that did not answer, exactly as the caller configured it. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
