package io.backpropstreams.client;

import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

/**
 * The least-privilege ACL sets of the product's principals, as {@code acl grant-trainer} and
 * {@code acl grant-producer} create them (and {@code docs/security.md} lists them).
 *
 * <p>The trainer's set is narrower than "ALL on everything PREFIXED with the application id": on
 * its internal topics ({@code <application.id>-…}: the store's changelog and the rerouting
 * topic) it may create, read, write, describe and read their configs, which is what Kafka Streams
 * does with them; it may delete records from, but not delete, only its repartition topic, which
 * Kafka Streams purges after each commit.
 */
public final class AclSets {

    private AclSets() {
    }

    /**
     * Everything {@code run} needs as {@code principal} (e.g. {@code User:trainer}).
     *
     * @param applicationId the trainer's {@code application.id}
     * @param topics        its topic names
     * @param repartition   the internal topics Kafka Streams purges (the rerouting topic)
     */
    public static List<AclBinding> trainer(String principal, String applicationId, TopicNames topics, List<String> repartition) {
        List<AclBinding> acls = new ArrayList<>();
        for (String input : List.of(topics.samples(), topics.models(), topics.predictRequests())) {
            add(acls, principal, ResourceType.TOPIC, input, PatternType.LITERAL, CREATE, READ, DESCRIBE);
        }
        for (String output : List.of(topics.weights(), topics.metrics(), topics.predictions())) {
            add(acls, principal, ResourceType.TOPIC, output, PatternType.LITERAL, CREATE, WRITE, DESCRIBE);
        }
        // the live monitor of run (/metrics, dashboard) reads these outputs back
        for (String output : List.of(topics.deadLetters(), topics.progress(), topics.drift())) {
            add(acls, principal, ResourceType.TOPIC, output, PatternType.LITERAL, CREATE, WRITE, READ, DESCRIBE);
        }
        String internal = applicationId + "-";
        add(acls, principal, ResourceType.TOPIC, internal, PatternType.PREFIXED, CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS);
        for (String topic : repartition) {
            add(acls, principal, ResourceType.TOPIC, topic, PatternType.LITERAL, DELETE);
        }
        add(acls, principal, ResourceType.GROUP, applicationId, PatternType.LITERAL, READ, DESCRIBE);
        // exactly-once v2: transactional ids <application.id>-<process id>-<thread>
        add(acls, principal, ResourceType.TRANSACTIONAL_ID, internal, PatternType.PREFIXED, WRITE, DESCRIBE);
        return acls;
    }

    /**
     * What {@code produce}, {@code replay} and {@code predict} need: WRITE on {@code samples} and
     * {@code predict-requests}, READ on {@code predictions} ({@code predict} waits there for its
     * answer, by assignment: no group); with {@code models}, also what
     * {@code model create|delete|reset|list} need on {@code models}.
     */
    public static List<AclBinding> producer(String principal, TopicNames topics, boolean models) {
        List<AclBinding> acls = new ArrayList<>();
        add(acls, principal, ResourceType.TOPIC, topics.samples(), PatternType.LITERAL, WRITE, DESCRIBE);
        add(acls, principal, ResourceType.TOPIC, topics.predictRequests(), PatternType.LITERAL, WRITE, DESCRIBE);
        add(acls, principal, ResourceType.TOPIC, topics.predictions(), PatternType.LITERAL, READ, DESCRIBE);
        if (models) {
            add(acls, principal, ResourceType.TOPIC, topics.models(), PatternType.LITERAL, WRITE, READ, DESCRIBE);
        }
        return acls;
    }

    private static void add(List<AclBinding> acls, String principal, ResourceType type, String name, PatternType pattern,
                            AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
    }
}
