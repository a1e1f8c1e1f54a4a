package io.backpropstreams.avro;

import io.backpropstreams.schema.ModelSpec;
import io.backpropstreams.schema.PredictRequest;
import io.backpropstreams.schema.Prediction;
import io.backpropstreams.schema.Sample;
import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.schema.TrainingProgress;
import io.backpropstreams.schema.WeightsUpdate;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * One shared serde per record type.
 *
 * <p>Avro 1.12 only instantiates classes it trusts when decoding; our generated record classes
 * are registered with its {@link ClassSecurityValidator} here, before any serde exists.
 */
public final class Serdes {

    static {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                ClassSecurityValidator.builder()
                        .add(Sample.class).add(ModelSpec.class).add(WeightsUpdate.class)
                        .add(io.backpropstreams.schema.LayerWeights.class).add(TrainingMetric.class)
                        .add(TrainingProgress.class).add(io.backpropstreams.schema.CurvePoint.class)
                        .add(io.backpropstreams.schema.LearningRateSchedule.class).add(io.backpropstreams.schema.DriftSpec.class)
                        .add(PredictRequest.class).add(Prediction.class).add(io.backpropstreams.schema.DriftDetection.class)
                        .build()));
    }

    /** {@code Sample}, single-object encoded. */
    public static final AvroSerde<Sample> SAMPLE = new AvroSerde<>(Sample.getClassSchema());
    /** {@code ModelSpec}, single-object encoded. */
    public static final AvroSerde<ModelSpec> MODEL_SPEC = new AvroSerde<>(ModelSpec.getClassSchema());
    /** {@code WeightsUpdate}, single-object encoded. */
    public static final AvroSerde<WeightsUpdate> WEIGHTS_UPDATE = new AvroSerde<>(WeightsUpdate.getClassSchema());
    /** {@code TrainingMetric}, single-object encoded; also reads records written before {@code correct} was added. */
    public static final AvroSerde<TrainingMetric> TRAINING_METRIC = new AvroSerde<>(TrainingMetric.getClassSchema());
    /** {@code TrainingProgress}, single-object encoded; also reads records written before the accuracy fields were added. */
    public static final AvroSerde<TrainingProgress> TRAINING_PROGRESS = new AvroSerde<>(TrainingProgress.getClassSchema());
    /** {@code PredictRequest}, single-object encoded. */
    public static final AvroSerde<PredictRequest> PREDICT_REQUEST = new AvroSerde<>(PredictRequest.getClassSchema());
    /** {@code Prediction}, single-object encoded. */
    public static final AvroSerde<Prediction> PREDICTION = new AvroSerde<>(Prediction.getClassSchema());

    /** {@code DriftDetection}, single-object encoded. */
    public static final AvroSerde<io.backpropstreams.schema.DriftDetection> DRIFT_DETECTION =
            new AvroSerde<>(io.backpropstreams.schema.DriftDetection.getClassSchema());

    private Serdes() {
    }
}
