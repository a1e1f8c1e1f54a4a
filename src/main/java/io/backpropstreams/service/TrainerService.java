package io.backpropstreams.service;

import io.backpropstreams.client.Clients;
import io.backpropstreams.client.UserException;

import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.http.TrainerHttpServer;
import io.backpropstreams.kafka.ClusterWatch;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.backpropstreams.http.TrainingMonitor;
import io.backpropstreams.topology.TopicNames;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.time.Duration;
import java.util.Properties;

/**
 * Everything {@code run} starts, wired together: the HTTP server (bound first, so that its port
 * can be advertised as {@code application.server}), the trainer, the Prometheus registry with
 * the Kafka Streams binder, and the monitor of the output topics.
 */
public final class TrainerService implements AutoCloseable {

    private final TrainerHttpServer http;
    private final Trainer trainer;
    private final TrainingMonitor monitor;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ClusterWatch cluster;

    private TrainerService(TrainerHttpServer http, Trainer trainer, TrainingMonitor monitor, KafkaStreamsMetrics streamsMetrics,
                           ClusterWatch cluster) {
        this.http = http;
        this.trainer = trainer;
        this.monitor = monitor;
        this.streamsMetrics = streamsMetrics;
        this.cluster = cluster;
    }

    /**
     * Starts the service.
     *
     * @param config         Streams and client properties, {@code bootstrap.servers} included
     * @param httpPort       HTTP port, 0 for any free one
     * @param advertisedHost if not null, {@code application.server} becomes {@code host:port} so that other
     *                       instances can forward model queries here (unless the config already sets it)
     */
    public static TrainerService start(Properties config, int httpPort, String advertisedHost, int partitions, Duration timeout) {
        return start(config, TrainerHttpServer.DEFAULT_HOST, httpPort, io.backpropstreams.http.HttpAccess.none(), advertisedHost, partitions, timeout,
                Trainer.StartupListener.withDeadline(timeout, config.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)),
                line -> org.slf4j.LoggerFactory.getLogger(TrainerService.class).warn(line));
    }

    /**
     * Starts the service as {@code run} does: waiting for partitions is unbounded (see
     * {@link Trainer#start(Properties, int, Duration, Trainer.StartupListener)}), and {@code say}
     * hears one line when the cluster is lost and one when it is back.
     *
     * @param httpHost the address the HTTP server binds ({@code 0.0.0.0} for every interface)
     * @param access   the HTTP server's token, open paths and TLS
     */
    public static TrainerService start(Properties config, String httpHost, int httpPort, io.backpropstreams.http.HttpAccess access,
                                       String advertisedHost, int partitions,
                                       Duration timeout, Trainer.StartupListener startup, java.util.function.Consumer<String> say) {
        TrainerHttpServer http;
        try {
            http = TrainerHttpServer.start(httpHost, httpPort, access);
        } catch (IOException e) {
            throw new UserException("cannot serve HTTP on " + httpHost + ":" + httpPort + ": " + e.getMessage(), e);
        }
        Properties props = new Properties();
        props.putAll(config);
        if (advertisedHost != null) {
            props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost + ":" + http.port());
        }
        Trainer trainer;
        try {
            trainer = Trainer.start(props, partitions, timeout, startup);
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(StableMetricLabels.FILTER);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(trainer.streams());
        streamsMetrics.bindTo(registry);
        TrainingMonitor monitor = new TrainingMonitor(Clients.consumer(props), TopicNames.from(props), registry);
        String server = props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
        ClusterWatch cluster = ClusterWatch.start(ClientConfigs.forClient(props, AdminClientConfig.configNames()), say);
        http.watchCluster(cluster::status);
        http.attach(trainer.streams(), server == null ? null : HostInfo.buildFromEndpoint(server), monitor, registry);
        return new TrainerService(http, trainer, monitor, streamsMetrics, cluster);
    }

    /** The running trainer. */
    public Trainer trainer() {
        return trainer;
    }

    /** The HTTP port actually bound. */
    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        cluster.close();
        monitor.close();
        streamsMetrics.close();
        trainer.close();
    }
}
