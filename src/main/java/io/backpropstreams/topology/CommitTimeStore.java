package io.backpropstreams.topology;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model store, writing each model once per commit instead of once per sample.
 *
 * <p>Kafka Streams serialises a value on every {@code put}, even into a cached store whose
 * changelog only sees the last value per commit. For a large model that is most of the cost of a
 * sample (an [784,128,10] model is 814 KB). This store keeps the live {@link ModelState} of every
 * model put since the last commit and serialises it into the wrapped store (metered, cached,
 * logged, RocksDB) when the task prepares its commit: Kafka Streams calls
 * {@link #flushCache()} on every cached store before it flushes the producer and commits the
 * transaction, so the model's single changelog record is part of the same transaction as the
 * input offsets and outputs of the samples that produced it. That is what keeps exactly-once.
 *
 * <p>Reads ({@code get}, {@code all}: interactive queries from other threads) see the wrapped
 * store, i.e. the state as of the last commit, never a model in the middle of a step. The trainer
 * keeps its own live models, so it never needs to read a pending one. Pending models are dropped
 * when the task is closed dirty or its cache cleared: they belong to a transaction that aborts.
 *
 * <p>{@code WrappedStateStore} (and the {@code CachedStateStore} hook it implements) is Kafka
 * Streams' internal store-layering class; the fault-injection tests check this contract after
 * every upgrade.
 */
public final class CommitTimeStore extends WrappedStateStore<KeyValueStore<String, ModelState>, String, ModelState>
        implements KeyValueStore<String, ModelState> {

    private final Map<String, ModelState> pending = new HashMap<>();

    CommitTimeStore(KeyValueStore<String, ModelState> wrapped) {
        super(wrapped);
    }

    /** Serialises every pending model into the wrapped store, once. */
    private void writePending() {
        if (!pending.isEmpty()) {
            for (Map.Entry<String, ModelState> e : pending.entrySet()) {
                wrapped().put(e.getKey(), e.getValue());
            }
            pending.clear();
        }
    }

    @Override
    public void flushCache() {
        writePending();
        super.flushCache();
    }

    @Override
    public void commit(Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
        writePending();
        super.commit(changelogOffsets);
    }

    @Override
    public void clearCache() {
        pending.clear();
        super.clearCache();
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }

    @Override
    public void put(String key, ModelState value) {
        if (value == null) {
            delete(key);
        } else {
            pending.put(key, value);
        }
    }

    @Override
    public ModelState putIfAbsent(String key, ModelState value) {
        ModelState current = pending.containsKey(key) ? pending.get(key) : wrapped().get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, ModelState>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public ModelState delete(String key) {
        ModelState pendingValue = pending.remove(key);
        ModelState stored = wrapped().delete(key);
        return pendingValue != null ? pendingValue : stored;
    }

    @Override
    public ModelState get(String key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<String, ModelState> range(String from, String to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<String, ModelState> reverseRange(String from, String to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, ModelState> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<String, ModelState> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, ModelState> prefixScan(P prefix, PS prefixKeySerializer) {
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Builds a {@link CommitTimeStore} around what {@code inner} builds; every setting goes to {@code inner}. */
    static StoreBuilder<CommitTimeStore> around(StoreBuilder<KeyValueStore<String, ModelState>> inner) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitTimeStore> withCachingEnabled() {
                inner.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<CommitTimeStore> withCachingDisabled() {
                inner.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<CommitTimeStore> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<CommitTimeStore> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public CommitTimeStore build() {
                return new CommitTimeStore(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }
}
