package io.backpropstreams.topology;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The trainer's {@code processing.exception.handler}: a Kafka error fails, anything else is
 * dead-lettered and skipped.
 *
 * <p>Kafka Streams hands this handler every exception a processor throws, including those that
 * come out of {@code context.forward}: a send to an output or changelog that failed, a producer
 * that cannot send any more. {@link LogAndContinueProcessingExceptionHandler} would skip the
 * record and go on, and Kafka Streams clears a send error once it has been thrown, so the record
 * would count as consumed while the model it had already stepped kept the step and its outputs
 * were lost; should the transaction then commit, that is a sample applied without its metric, or
 * not applied at all. So every {@link KafkaException} (a {@code StreamsException} too) fails:
 * the stream thread stops and its open transaction is aborted. If the cause is one the cluster
 * recovers from (a timeout, a lost broker, the producer's state after one), a new thread replaces
 * it, restores the store from the changelog and resumes from the last commit; any other cause
 * stops the trainer with the error (see {@code Trainer#onStreamThreadError}).
 *
 * <p>{@link TrainerProcessor} dead-letters its own unforeseen errors before it touches a model,
 * and raises a {@code StreamsException} after; this handler's continue branch therefore only sees
 * errors of processors that hold no state (the router), which it dead-letters like its parent.
 */
public final class TrainerProcessingErrors extends LogAndContinueProcessingExceptionHandler {

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (isKafkaError(exception)) {
            return Response.fail();
        }
        return super.handleError(context, record, exception);
    }

    /** True if {@code e} or any of its causes is one of Kafka's own exceptions. */
    static boolean isKafkaError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KafkaException) {
                return true;
            }
        }
        return false;
    }
}
