package io.backpropstreams.client;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.avro.ModelSpecs;
import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.CommonClientConfigs;

import io.backpropstreams.topology.ModelIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Model specs on the compacted {@code models} topic, as the {@code model} commands manage them:
 * a spec record creates or resets a model, a tombstone deletes it, and the topic read to its end
 * gives every model's latest spec.
 */
public final class ModelAdmin {

    private final Properties config;
    private final String topic;

    /** @param config client properties, {@code bootstrap.servers} and {@code bps.topic.*} included */
    public ModelAdmin(Properties config) {
        this.config = config;
        this.topic = TopicNames.from(config).models();
    }

    /** The models topic in use. */
    public String topic() {
        return topic;
    }

    /**
     * Writes one record to the models topic and waits for the cluster to acknowledge it.
     *
     * @param value an encoded {@link ModelSpec}, or null for a tombstone (delete)
     * @throws UserException if the cluster refuses the record or does not answer within 30 s
     */
    public void send(String id, byte[] value) {
        String servers = config.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        try (KafkaProducer<String, byte[]> producer = Clients.producer(config)) {
            producer.send(new ProducerRecord<>(topic, id, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new UserException("cannot write to topic '" + topic + "' at " + servers + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
            throw new UserException("no Kafka cluster answered at " + servers + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }

    /**
     * The models topic read to its end.
     *
     * @param specs the latest valid spec of every model, tombstones applied
     * @param ids   every id whose latest record is not a tombstone, a spec that does not decode included
     */
    public record Listing(Map<String, ModelSpec> specs, java.util.Set<String> ids) {
    }

    /** The latest valid spec of every model on the models topic, tombstones applied; empty if the topic does not exist. */
    public Map<String, ModelSpec> readSpecs() {
        return read().specs();
    }

    /** The latest committed {@code TrainingProgress} of every model; empty if the topic does not exist. */
    public Map<String, io.backpropstreams.schema.TrainingProgress> readProgress() {
        String progressTopic = TopicNames.from(config).progress();
        Map<String, io.backpropstreams.schema.TrainingProgress> latest = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.readToEnd(consumer, progressTopic, Duration.ofSeconds(60), r -> {
                if (r.key() == null) {
                    return;
                }
                String id = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    latest.remove(id);
                    return;
                }
                try {
                    latest.put(id, io.backpropstreams.avro.Serdes.TRAINING_PROGRESS.decode(r.value()));
                } catch (RuntimeException e) {
                    // only the trainer writes this topic; a record it did not write says nothing of a model
                }
            });
        } catch (UserException e) {
            if (e.getMessage().contains("does not exist")) {
                return latest;
            }
            throw e;
        }
        return latest;
    }

    /** Reads the models topic to its end. */
    public Listing read() {
        Map<String, ModelSpec> specs = new TreeMap<>();
        java.util.Set<String> ids = new java.util.TreeSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(config)) {
            Clients.readToEnd(consumer, topic, Duration.ofSeconds(60), r -> {
                if (r.key() == null) {
                    return;
                }
                String id = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    specs.remove(id);
                    ids.remove(id);
                    return;
                }
                ids.add(id);
                if (!ModelIds.isValid(id)) {
                    return; // never a model: the trainer dead-lettered it as invalid-model-id
                }
                try {
                    specs.put(id, ModelSpecs.decode(r.value()));
                } catch (RuntimeException e) {
                    specs.remove(id);
                    // An invalid spec never became a model (the trainer dead-lettered it); one record, of
                    // whatever kind of damage, must not stop the listing or the reset of every other model.
                }
            });
        } catch (UserException e) {
            if (e.getMessage().contains("does not exist")) {
                return new Listing(specs, ids);
            }
            throw e;
        }
        return new Listing(specs, ids);
    }
}
