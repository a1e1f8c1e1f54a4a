package io.backpropstreams.client;

import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The prediction topics in the least-privilege ACL sets. */
class AclSetsTest {

    static Set<AclOperation> on(List<AclBinding> acls, String topic) {
        return acls.stream().filter(a -> a.pattern().name().equals(topic)).map(a -> a.entry().operation()).collect(Collectors.toSet());
    }

    @Test
    void theTrainerReadsPredictRequestsAndWritesPredictionsAndDrift() {
        List<AclBinding> acls = AclSets.trainer("User:trainer", "app", TopicNames.DEFAULTS, List.of("app-rerouted-repartition"));
        assertEquals(Set.of(AclOperation.CREATE, AclOperation.READ, AclOperation.DESCRIBE), on(acls, "predict-requests"));
        assertEquals(Set.of(AclOperation.CREATE, AclOperation.WRITE, AclOperation.DESCRIBE), on(acls, "predictions"));
        assertEquals(Set.of(AclOperation.CREATE, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE), on(acls, "drift"),
                "run's monitor reads the drift topic back for /metrics and the dashboard");
    }

    @Test
    void aProducerWritesPredictRequestsAndReadsPredictionsButNotDeadLettersOrDrift() {
        List<AclBinding> acls = AclSets.producer("User:producer", TopicNames.DEFAULTS, false);
        assertEquals(Set.of(AclOperation.WRITE, AclOperation.DESCRIBE), on(acls, "predict-requests"));
        assertEquals(Set.of(AclOperation.READ, AclOperation.DESCRIBE), on(acls, "predictions"));
        assertEquals(Set.of(), on(acls, "dead-letters"));
        assertEquals(Set.of(), on(acls, "drift"));
        assertEquals(Set.of(), on(acls, "models"), "models only with --models");
    }
}
