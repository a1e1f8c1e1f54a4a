package io.backpropstreams.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Key stores made in the test with the JDK's own {@code keytool}: a self-signed EC key for 127.0.0.1 and localhost. */
public final class TestKeystores {

    public static final String PASSWORD = "test-keystore-pw";

    private TestKeystores() {
    }

    /** A PKCS12 key store at {@code dir/name}, password {@link #PASSWORD}. */
    public static Path create(Path dir, String name) throws IOException, InterruptedException {
        Path store = dir.resolve(name);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "bps", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(store)) {
            throw new IOException("keytool failed: " + out);
        }
        return store;
    }

    /** An SSL context trusting the certificates of {@code store}. */
    public static javax.net.ssl.SSLContext trusting(Path store) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance(store.toFile(), PASSWORD.toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
