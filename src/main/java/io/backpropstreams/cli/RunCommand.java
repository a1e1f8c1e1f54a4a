package io.backpropstreams.cli;

import io.backpropstreams.http.TrainerHttpServer;
import io.backpropstreams.service.StopRequest;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code run}: the trainer and its HTTP server, until SIGTERM or Ctrl-C. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the trainer: consumes samples and model specs, trains, answers predict requests, and publishes weights, "
                + "metrics, training progress, predictions and dead letters. Creates its nine topics if they are missing. Stops cleanly "
                + "on SIGTERM or Ctrl-C.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams run --bootstrap-servers localhost:9092",
            "  backprop-streams run --config trainer.properties --partitions 8 --http-port 8081",
            "  BPS_BOOTSTRAP_SERVERS=kafka:9092 backprop-streams run",
            "  backprop-streams run --instance-id trainer-a --state-dir /var/lib/backprop-streams",
            "  backprop-streams run --http-host 0.0.0.0 --advertised-host trainer-a.internal",
        })
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port for /health, /metrics and /models (0 = any free port; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "ADDR", defaultValue = TrainerHttpServer.DEFAULT_HOST,
            description = "Address the HTTP server listens on (default ${DEFAULT-VALUE}: this machine only, since it serves every "
                    + "model's weights). 0.0.0.0 listens on every interface: in a container, or for other instances (--advertised-host).")
    String httpHost;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "Require Authorization: Bearer TOKEN, the token being this file's content (at least 16 characters; "
                    + "keep the file chmod 600). Requests without it get 401; the dashboard takes it as /#token=TOKEN.")
    java.nio.file.Path httpTokenFile;

    @Option(names = "--http-open", paramLabel = "PATHS", defaultValue = "/health",
            description = "With --http-token-file, the paths served without the token, comma-separated: /health, /metrics, "
                    + "or both for Prometheus (default ${DEFAULT-VALUE}; empty for none).")
    String httpOpen;

    @Option(names = "--http-tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with this PKCS12 or JKS key store. Its password comes from --http-tls-password-file "
                    + "or the environment variable " + io.backpropstreams.http.HttpAccess.TLS_PASSWORD_ENV + ", never from a flag.")
    java.nio.file.Path httpTlsKeystore;

    @Option(names = "--http-tls-password-file", paramLabel = "FILE",
            description = "File whose content is the key store's password (keep it chmod 600).")
    java.nio.file.Path httpTlsPasswordFile;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host name other instances reach this one by; sets application.server to HOST:<http port> "
                    + "so that any instance answers model queries for all models.")
    String advertisedHost;

    @Option(names = "--partitions", defaultValue = "" + Trainer.DEFAULT_PARTITIONS,
            description = "Partitions of topics that must be created (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Kafka Streams state directory (state.dir; default ~/.backprop-streams/state).")
    java.nio.file.Path stateDir;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "Static group membership (group.instance.id): a restart with the same ID takes its partitions back "
                    + "at once, without a rebalance. Give every instance its own ID, kept across restarts.")
    String instanceId;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds the cluster may take to answer, topics to be created and ACLs checked (default ${DEFAULT-VALUE}). "
                    + "Waiting for partitions a previous instance still holds is not bounded: run says what it waits for.")
    int timeoutSeconds;

    private final StopRequest stop = new StopRequest();

    @Override
    public Integer call() throws Exception {
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, got " + partitions);
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--http-port must be in 0..65535, got " + httpPort);
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (StopRequest stopRequest = stop.listenToSignals()) {
            TrainerService service;
            try {
                if (httpTokenFile != null && httpTlsKeystore == null && !isLoopback(httpHost)) {
                    say(out, "Note: --http-token-file without --http-tls-keystore on " + httpHost + ": the token crosses the network "
                            + "in clear text; add --http-tls-keystore.");
                }
                if (advertisedHost != null && isLoopback(httpHost) && !isLoopback(advertisedHost)) {
                    say(out, "Note: --advertised-host " + advertisedHost + " but HTTP listens on " + httpHost
                            + " only, so other instances cannot forward queries here; add --http-host 0.0.0.0 (or an address they reach).");
                }
                service = TrainerService.start(properties(), httpHost, httpPort, httpAccess(), advertisedHost, partitions, Duration.ofSeconds(timeoutSeconds),
                        new Trainer.StartupListener() {
                            @Override
                            public void waiting(String line) {
                                say(out, line);
                            }

                            @Override
                            public boolean cancelled() {
                                return stopRequest.requested();
                            }
                        }, line -> say(out, line));
            } catch (Trainer.StartCancelled e) {
                say(out, "Stopped before the trainer started.");
                return 0;
            }
            try (service) {
                Trainer trainer = service.trainer();
                say(out, String.format("Trainer running against %s (application.id %s); HTTP on port %d of %s%s. Ctrl-C to stop.",
                        kafka.bootstrapServers(), trainer.config().getProperty("application.id"), service.httpPort(), httpHost,
                        (httpTlsKeystore == null ? "" : ", TLS") + (httpTokenFile == null ? "" : ", token required")));
                trainer.onStop(stopRequest::request);
                stopRequest.await();
                if (trainer.failure() != null) {
                    spec.commandLine().getErr().println("error: trainer stopped: " + Trainer.rootMessage(trainer.failure()));
                    return 1;
                }
                say(out, "Stopping the trainer…");
            }
        }
        out.println("Trainer stopped cleanly.");
        out.flush();
        return 0;
    }

    /** The HTTP server's token, open paths and TLS, from the options; secrets are read from files (or the environment). */
    private io.backpropstreams.http.HttpAccess httpAccess() {
        if (httpTlsPasswordFile != null && httpTlsKeystore == null) {
            throw new ParameterException(spec.commandLine(), "--http-tls-password-file needs --http-tls-keystore");
        }
        byte[] token = httpTokenFile == null ? null : io.backpropstreams.http.HttpAccess.readToken(httpTokenFile);
        var open = io.backpropstreams.http.HttpAccess.openPaths(httpOpen);
        var tls = httpTlsKeystore == null ? null : new io.backpropstreams.http.HttpAccess.Tls(httpTlsKeystore,
                io.backpropstreams.http.HttpAccess.tlsPassword(httpTlsPasswordFile, System.getenv(io.backpropstreams.http.HttpAccess.TLS_PASSWORD_ENV)));
        return new io.backpropstreams.http.HttpAccess(token, open, tls);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    private java.util.Properties properties() {
        java.util.Properties p = kafka.properties();
        if (instanceId != null) {
            if (instanceId.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--instance-id must not be blank");
            }
            p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        if (stateDir != null) {
            p.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        return p;
    }

    /** Asks a running {@code call()} to stop, as SIGTERM would. */
    public void requestStop() {
        stop.request();
    }
}
