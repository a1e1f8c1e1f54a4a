package io.backpropstreams.kafka;

import org.apache.kafka.common.Uuid;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Where the nodes of a local {@code nodes}-node KRaft cluster listen, worked out from one base
 * port, so that nodes started separately (one per process, {@code broker --nodes 3 --node-id 2})
 * agree without a shared file:
 * <ul>
 *   <li>node {@code i} (1-based) takes clients on {@code basePort + i - 1};</li>
 *   <li>its controller listens on {@code basePort + nodes + i - 1};</li>
 *   <li>every node is a voter of the controller quorum, so the cluster runs while a majority does;</li>
 *   <li>the cluster id is derived from the base port and the node count, so all nodes format
 *       their storage alike.</li>
 * </ul>
 * For {@code basePort} 9092 and 3 nodes: clients on 9092, 9093, 9094; controllers on 9095, 9096, 9097.
 */
public record KafkaNodeLayout(int basePort, int nodes) {

    /** Enough for a local replicated cluster; more nodes on one machine only add load. */
    public static final int MAX_NODES = 9;

    public KafkaNodeLayout {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("a local cluster has 1 to " + MAX_NODES + " nodes, got " + nodes);
        }
        if (basePort < 1 || basePort + 2 * nodes - 1 > 65_535) {
            throw new IllegalArgumentException("ports " + basePort + ".." + (basePort + 2 * nodes - 1)
                    + " for " + nodes + " nodes do not fit in 1..65535");
        }
    }

    /** The port node {@code nodeId} takes clients on. */
    public int clientPort(int nodeId) {
        return basePort + checked(nodeId) - 1;
    }

    /** The port node {@code nodeId}'s controller listens on. */
    public int controllerPort(int nodeId) {
        return basePort + nodes + checked(nodeId) - 1;
    }

    /** {@code controller.quorum.voters}: every node, {@code 1@127.0.0.1:9095,2@…}. */
    public String quorumVoters() {
        return IntStream.rangeClosed(1, nodes)
                .mapToObj(id -> id + "@" + EmbeddedKafkaBroker.HOST + ":" + controllerPort(id))
                .collect(Collectors.joining(","));
    }

    /** What clients need: every node's client address. */
    public String bootstrapServers() {
        return IntStream.rangeClosed(1, nodes)
                .mapToObj(id -> EmbeddedKafkaBroker.HOST + ":" + clientPort(id))
                .collect(Collectors.joining(","));
    }

    /** The same for every node of this layout, and different for another base port or size. */
    public String clusterId() {
        UUID u = UUID.nameUUIDFromBytes(("backprop-streams:" + basePort + ":" + nodes).getBytes(StandardCharsets.UTF_8));
        return new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits()).toString();
    }

    /**
     * The settings of node {@code nodeId}, with its data under {@code dataDir/node-<id>}, or in a
     * temporary directory when {@code dataDir} is null.
     */
    public EmbeddedKafkaBroker.Builder node(int nodeId, Path dataDir) {
        return EmbeddedKafkaBroker.builder()
                .port(clientPort(nodeId))
                .dataDir(dataDir == null ? null : dataDir.resolve("node-" + nodeId))
                .clusterNode(nodeId, nodes, controllerPort(nodeId), quorumVoters(), clusterId());
    }

    private int checked(int nodeId) {
        if (nodeId < 1 || nodeId > nodes) {
            throw new IllegalArgumentException("node id must be in 1.." + nodes + ", got " + nodeId);
        }
        return nodeId;
    }
}
