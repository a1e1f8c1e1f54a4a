package io.backpropstreams.topology;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainerProcessingErrorsTest {

    private final TrainerProcessingErrors handler = configured();

    private static TrainerProcessingErrors configured() {
        TrainerProcessingErrors h = new TrainerProcessingErrors();
        h.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dead-letters",
                StreamsConfig.APPLICATION_ID_CONFIG, "t", StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"));
        return h;
    }

    private static final ErrorHandlerContext CONTEXT = new ErrorHandlerContext() {
        @Override public String topic() { return "samples"; }
        @Override public int partition() { return 0; }
        @Override public long offset() { return 7; }
        @Override public Headers headers() { return new RecordHeaders(); }
        @Override public String processorNodeId() { return TrainerTopology.TRAINER; }
        @Override public TaskId taskId() { return new TaskId(0, 0); }
        @Override public long timestamp() { return 1L; }
        @Override public byte[] sourceRawKey() { return "m".getBytes(); }
        @Override public byte[] sourceRawValue() { return "{}".getBytes(); }
    };

    private ProcessingExceptionHandler.Result result(Exception e) {
        return handler.handleError(CONTEXT, new Record<>("m".getBytes(), "{}".getBytes(), 1L), e).result();
    }

    @Test
    void aFailedSendFailsInsteadOfSkippingTheRecord() {
        // what RecordCollectorImpl throws from send() once a previous send failed
        assertEquals(ProcessingExceptionHandler.Result.FAIL,
                result(new StreamsException("Error encountered sending record to topic metrics", new TimeoutException("expired"))));
        assertEquals(ProcessingExceptionHandler.Result.FAIL,
                result(new org.apache.kafka.common.KafkaException("Cannot perform send because at least one previous transactional "
                        + "or idempotent request has failed with errors.")));
    }

    @Test
    void anErrorAfterTheModelWasSteppedFails() {
        // TrainerProcessor raises an error after a step as a StreamsException
        assertEquals(ProcessingExceptionHandler.Result.FAIL,
                result(new StreamsException("internal error after the model was updated", new NullPointerException())));
    }

    @Test
    void anUnforeseenErrorOfAStatelessProcessorIsDeadLetteredAndSkipped() {
        ProcessingExceptionHandler.Response r = handler.handleError(CONTEXT, new Record<>("m".getBytes(), "{}".getBytes(), 1L),
                new IllegalStateException("boom"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        assertEquals("dead-letters", r.deadLetterQueueRecords().get(0).topic());
    }

    @Test
    void theTrainerUsesIt() {
        Properties p = TrainerTopology.streamsConfig(new Properties(), "unused:9092");
        assertEquals(TrainerProcessingErrors.class.getName(), p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
    }
}
