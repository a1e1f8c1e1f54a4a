package io.backpropstreams.http;

import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * HTTPS for the trainer's server, from one key store: the server presents its key and certificate,
 * and, when forwarding a query to another instance, trusts exactly the certificates in that key
 * store (for a key entry, its own certificate; a CA must be added as a trusted-certificate entry).
 * Instances that share a key store, or whose key stores hold their common CA as a trusted entry,
 * therefore reach each other; the peer's certificate must name the host it is reached by
 * ({@code --advertised-host}), as HTTPS clients check.
 */
final class TlsSupport {

    /** Jetty's server-side factory and the client context for forwarding. */
    record Server(SslContextFactory.Server factory, SSLContext peerContext) {
    }

    private TlsSupport() {
    }

    /**
     * Loads {@code tls.keystore()} (PKCS12 or JKS, found by its content).
     *
     * @throws IOException naming the file if it is missing, not a key store, or the password is wrong
     */
    static Server server(HttpAccess.Tls tls) throws IOException {
        if (!Files.isRegularFile(tls.keystore())) {
            throw new IOException("--http-tls-keystore " + tls.keystore() + ": no such file");
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(tls.keystore().toFile(), tls.password());
        } catch (IOException | GeneralSecurityException e) {
            Throwable cause = e.getCause() instanceof java.security.UnrecoverableKeyException ? e.getCause() : e;
            throw new IOException("--http-tls-keystore " + tls.keystore() + " cannot be opened (wrong password, or not a PKCS12/JKS key store): "
                    + cause.getMessage(), e);
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(store);
        factory.setKeyStorePassword(new String(tls.password()));
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext peers = SSLContext.getInstance("TLS");
            peers.init(null, trust.getTrustManagers(), null);
            return new Server(factory, peers);
        } catch (GeneralSecurityException e) {
            throw new IOException("--http-tls-keystore " + tls.keystore() + ": " + e.getMessage(), e);
        }
    }
}
