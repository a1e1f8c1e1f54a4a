package io.backpropstreams.topology;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Topic names: the defaults, the names derived beside renamed topics, and overrides. */
class TopicNamesTest {

    @Test
    void defaultsNameThePredictionTopicsPlainly() {
        TopicNames t = TopicNames.from(new Properties());
        assertEquals(TopicNames.DEFAULTS, t);
        assertEquals("predict-requests", t.predictRequests());
        assertEquals("predictions", t.predictions());
        assertEquals("drift", t.drift());
        assertEquals(List.of("samples", "models", "predict-requests", "weights", "metrics", "dead-letters", "training-progress",
                "predictions", "drift"), t.all());
    }

    @Test
    void renamedTopicsGetTheirOwnPredictionTopicsBesideTheirModelsTopic() {
        TopicNames dotted = new TopicNames("library.samples", "library.models", "library.weights", "library.metrics", "library.dead-letters");
        assertEquals("library.predict-requests", dotted.predictRequests());
        assertEquals("library.predictions", dotted.predictions());
        assertEquals("library.drift", dotted.drift());
        assertEquals("library.metrics-progress", dotted.progress(), "the progress topic as before");

        TopicNames dashed = new TopicNames("b-samples", "b-models", "b-weights", "b-metrics", "b-dead-letters", "b-progress");
        assertEquals("b-predict-requests", dashed.predictRequests());
        assertEquals("b-progress", dashed.progress());

        // no separator before "models": the whole name is kept, so "mymodels" gives no "mypredictions"
        TopicNames glued = new TopicNames("s", "mymodels", "w", "m", "d");
        assertEquals("mymodels-predict-requests", glued.predictRequests());
        assertEquals("mymodels-drift", glued.drift());
        assertEquals(9, new HashSet<>(glued.all()).size(), "nine distinct topics");
    }

    @Test
    void propertiesOverrideEachNameAndRenamedModelsMoveTheDerivedOnes() {
        Properties p = new Properties();
        p.setProperty("bps.topic.models", "x.models");
        p.setProperty("bps.topic.predictions", "answers");
        TopicNames t = TopicNames.from(p);
        assertEquals("x.predict-requests", t.predictRequests());
        assertEquals("answers", t.predictions());
        assertEquals("x.drift", t.drift());
        p.setProperty("bps.topic.predict-requests", "questions");
        p.setProperty("bps.topic.drift", "shift");
        t = TopicNames.from(p);
        assertEquals("questions", t.predictRequests());
        assertEquals("shift", t.drift());
    }

    @Test
    void theTopologyRefusesAPredictRequestsTopicThatIsAlsoAnotherInput() {
        TopicNames clash = new TopicNames("samples", "models", "weights", "metrics", "dead-letters", "training-progress",
                "samples", "predictions", "drift");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TrainerTopology.build(clash, 1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[samples, models, samples]"), e.getMessage());
    }
}
