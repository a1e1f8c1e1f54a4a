package io.backpropstreams.client;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * Configuration as the user gives it: a properties file whose keys pass straight through to
 * Kafka Streams and the clients, and the subset of it that one kind of client understands.
 */
public final class ClientConfigs {

    private ClientConfigs() {
    }

    /**
     * Loads a properties file, with an error that names the file if it cannot be read.
     *
     * @param file the file, or null for no file (empty properties)
     * @throws UserException if the file does not exist, is a directory or cannot be read
     */
    public static Properties load(Path file) {
        Properties p = new Properties();
        if (file == null) {
            return p;
        }
        if (!Files.exists(file) || Files.isDirectory(file)) {
            throw new UserException("config file '" + file + "' does not exist or is a directory");
        }
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UserException("cannot read config file '" + file + "': " + e.getMessage());
        }
        JaasCheck.check(p, file.toString());
        return p;
    }

    /**
     * The subset of {@code all} that a plain client understands: its own config names plus every
     * {@code sasl.*} and {@code ssl.*} key, so that Streams-only keys like {@code state.dir} do not
     * produce "unknown config" warnings.
     */
    public static Properties forClient(Properties all, Set<String> clientConfigNames) {
        Properties p = new Properties();
        for (String k : all.stringPropertyNames()) {
            if (clientConfigNames.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                p.put(k, all.getProperty(k));
            }
        }
        return p;
    }
}
