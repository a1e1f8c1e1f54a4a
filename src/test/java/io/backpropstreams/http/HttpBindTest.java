package io.backpropstreams.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The trainer's HTTP server is reachable from this machine only, unless told otherwise. */
class HttpBindTest {

    @Test
    void byDefaultOnlyLoopbackReachesTheServer() throws IOException {
        Optional<InetAddress> external = externalAddress();
        assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        try (TrainerHttpServer http = TrainerHttpServer.start(0)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", http.port()), 2_000);
                assertTrue(s.isConnected());
            }
            assertThrows(ConnectException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), http.port()), 2_000);
                }
            }, "refused on " + external.get().getHostAddress());
        }
    }

    @Test
    void everyInterfaceWhenAskedFor() throws IOException {
        Optional<InetAddress> external = externalAddress();
        assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        try (TrainerHttpServer http = TrainerHttpServer.start("0.0.0.0", 0);
             Socket s = new Socket()) {
            s.connect(new InetSocketAddress(external.get(), http.port()), 2_000);
            assertTrue(s.isConnected());
        }
    }

    private static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
