package io.backpropstreams.http;

import io.backpropstreams.nn.Lecture;
import io.backpropstreams.topology.ModelState;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Interactive queries of the model store. Each model lives in exactly one instance (the one
 * whose task owns its partition); {@link #ownerOf} says which, so that the HTTP layer can answer
 * locally or forward to the owner named by its {@code application.server}.
 */
public final class ModelQueries {

    /** Where a model lives. */
    public sealed interface Owner permits Local, Remote, Unknown {
    }

    /** This instance holds the model (or no instance does yet). */
    public record Local() implements Owner {
    }

    /** Another instance holds it; forward there. */
    public record Remote(HostInfo host) implements Owner {
    }

    /** The store is rebalancing; try again shortly. */
    public record Unknown(String why) implements Owner {
    }

    private final KafkaStreams streams;
    private final HostInfo self;

    /**
     * @param self this instance's {@code application.server}, or null when running alone
     */
    public ModelQueries(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** Which instance owns {@code id}'s partition. */
    public Owner ownerOf(String id) {
        if (self == null) {
            return new Local();
        }
        KeyQueryMetadata md = streams.queryMetadataForKey(TrainerTopology.STORE, id, new StringSerializer());
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Unknown("store metadata not available (rebalancing?)");
        }
        return md.activeHost().equals(self) ? new Local() : new Remote(md.activeHost());
    }

    /** Every other instance of the application. */
    public List<HostInfo> otherHosts() {
        List<HostInfo> hosts = new ArrayList<>();
        if (self == null) {
            return hosts;
        }
        for (StreamsMetadata md : streams.metadataForAllStreamsClients()) {
            if (!md.hostInfo().equals(self)) {
                hosts.add(md.hostInfo());
            }
        }
        return hosts;
    }

    /**
     * The model from this instance's store. The built-in {@code lecture} model, before its first
     * sample, is its initial network at step 0.
     *
     * @throws InvalidStateStoreException while the store is migrating
     */
    public Optional<ModelState> local(String id) {
        ModelState state = store().get(id);
        if (state == null && Lecture.MODEL_ID.equals(id)) {
            state = new ModelState(Lecture.network(), 1, Double.NaN);
        }
        return Optional.ofNullable(state);
    }

    /** All models of this instance's store, by id. */
    public List<java.util.Map.Entry<String, ModelState>> localAll() {
        List<java.util.Map.Entry<String, ModelState>> all = new ArrayList<>();
        try (KeyValueIterator<String, ModelState> it = store().all()) {
            it.forEachRemaining(kv -> all.add(java.util.Map.entry(kv.key, kv.value)));
        }
        return all;
    }

    private ReadOnlyKeyValueStore<String, ModelState> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(TrainerTopology.STORE, QueryableStoreTypes.keyValueStore()));
    }
}
