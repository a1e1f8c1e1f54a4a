package io.backpropstreams.it;

import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded KRaft broker per test class: started before the first test, stopped after the
 * last. Register it as {@code @RegisterExtension static final SharedBroker kafka = new SharedBroker();}.
 */
public final class SharedBroker implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.builder().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** {@code host:port} of the running broker. */
    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException("the shared broker runs only between beforeAll and afterAll");
        }
        return broker.bootstrapServers();
    }
}
