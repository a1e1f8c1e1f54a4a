package io.backpropstreams.kafka;

/**
 * How many copies of each topic the trainer asks for: every model's changelog and every committed
 * output lives only in Kafka, so on a cluster that can replicate, it should.
 *
 * <p>Unless the user sets {@code replication.factor}, the factor is min(3, brokers): 1 on a single
 * broker (the embedded one), 3 on any cluster of three or more. {@code min.insync.replicas} is then
 * factor − 1, capped at 2, so that with three replicas an acknowledged (and committed) write is on
 * two brokers, and one broker may be down without stopping the trainer.
 *
 * @param factor     replicas per partition
 * @param minInsync  {@code min.insync.replicas} for the topics created with it
 */
public record Replication(int factor, int minInsync) {

    public Replication {
        if (factor < 1 || minInsync < 1 || minInsync > factor) {
            throw new IllegalArgumentException("replication factor " + factor + " with min.insync.replicas " + minInsync);
        }
    }

    /**
     * @param brokers    brokers in the cluster (at least 1)
     * @param configured the user's {@code replication.factor}, or null or a value below 1 for "choose"
     * @throws IllegalArgumentException naming both numbers if the configured factor exceeds the brokers
     */
    public static Replication forCluster(int brokers, Integer configured) {
        int factor = configured == null || configured < 1 ? Math.min(3, Math.max(1, brokers)) : configured;
        if (factor > brokers) {
            throw new IllegalArgumentException("replication.factor " + factor + " needs at least " + factor
                    + " brokers, but the cluster has " + brokers);
        }
        return new Replication(factor, Math.max(1, Math.min(2, factor - 1)));
    }
}
