package io.backpropstreams.it;

import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.util.concurrent.TimeUnit;

/**
 * The same command-line scenarios as {@link CommandLineIT}, against Kafka in a Docker container
 * ({@code apache/kafka}, KRaft single node). Skipped, not failed, where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ContainerCommandLineIT extends CommandLineScenarios {

    /** The image the compose file in docker/ uses too. */
    static final String IMAGE = "apache/kafka:4.1.0";

    /**
     * Testcontainers sets the single-node replication factors of the offsets and transaction-state
     * topics; the share-coordinator topic needs the same on one broker.
     */
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(IMAGE)
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
