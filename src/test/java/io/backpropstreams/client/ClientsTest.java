package io.backpropstreams.client;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientsTest {

    @Test
    void theToolsProducerIsIdempotentWithOneRequestInFlightUnlessTheUserSaysOtherwise() {
        Properties none = new Properties();
        none.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        Properties p = Clients.producerConfig(none);
        assertEquals("true", p.getProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", p.getProperty(ProducerConfig.ACKS_CONFIG));
        // KAFKA-14359: with more in flight, a failed first batch can be refused as out of order until it expires
        assertEquals("1", p.getProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));

        Properties user = new Properties();
        user.putAll(none);
        user.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        assertEquals("5", Clients.producerConfig(user).getProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "--config wins");
    }
}
