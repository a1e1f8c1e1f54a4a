package io.backpropstreams.report;

import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.LectureReproduction;
import io.backpropstreams.nn.LectureReproduction.Checkpoint;
import io.backpropstreams.nn.LectureReproduction.Figure;
import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.UpdateRule;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the {@code lecture} and {@code demo} commands print, computed from parameter
 * snapshots: the step-1 forward pass and gradients from the initial parameters, the updated
 * weights from the step-1 parameters, the error and outputs at the checkpoints, and the table
 * of the lecture's own figures against both update rules (lecture setup: frozen biases, η = 0.5).
 *
 * @param spec      the network that was trained
 * @param steps     how many steps were run
 * @param initial   a network holding the initial parameters, after a gradient pass on the lecture sample
 * @param gradient  {@code ∂E/∂p} at the initial parameters
 * @param afterStep1 parameters after step 1
 * @param checkpoints error and outputs at 1, 10, 100, 1000 and {@code steps}
 * @param figures   the lecture's figures beside our rules
 */
public record LectureReport(NetworkSpec spec, long steps, Network initial, double[] gradient, double[] afterStep1,
                            Map<Long, Checkpoint> checkpoints, List<Figure> figures) {

    /** Steps at which the error and outputs are reported, besides the last. */
    public static final long[] REPORTED_STEPS = {1, 10, 100, 1000};

    /**
     * Builds the report from snapshots.
     *
     * @param parametersAt parameters of the trained network at step 0, 1, {@link #REPORTED_STEPS} and {@code steps}
     * @param simultaneous lecture-setup parameters under the simultaneous rule at {@link LectureReproduction#LECTURE_STEPS}
     * @param sequential   the same under the sequential rule
     */
    public static LectureReport build(NetworkSpec spec, long steps, Map<Long, double[]> parametersAt,
                                      Map<Long, double[]> simultaneous, Map<Long, double[]> sequential) {
        Network initial = new Network(spec, parametersAt.get(0L));
        double[] gradient = new double[initial.layout().parameterCount()];
        initial.gradient(Lecture.INPUT, Lecture.TARGET, gradient);
        Map<Long, Checkpoint> checkpoints = new TreeMap<>();
        for (Map.Entry<Long, double[]> e : parametersAt.entrySet()) {
            if (e.getKey() > 0) {
                checkpoints.put(e.getKey(), LectureReproduction.evaluate(spec, e.getKey(), e.getValue()));
            }
        }
        List<Figure> figures = LectureReproduction.compare(
                evaluateAll(Lecture.spec(UpdateRule.SIMULTANEOUS, false), simultaneous),
                evaluateAll(Lecture.spec(UpdateRule.SEQUENTIAL, false), sequential));
        return new LectureReport(spec, steps, initial, gradient, parametersAt.get(1L), checkpoints, figures);
    }

    /** Runs the core in-process and builds the report. */
    public static LectureReport inProcess(NetworkSpec spec, long steps) {
        Map<Long, double[]> trained = LectureReproduction.snapshots(spec, steps, wantedSteps(steps));
        long lectureSteps = LectureReproduction.LECTURE_STEPS[LectureReproduction.LECTURE_STEPS.length - 1];
        Map<Long, double[]> sim = LectureReproduction.snapshots(Lecture.spec(UpdateRule.SIMULTANEOUS, false), lectureSteps, LectureReproduction.LECTURE_STEPS);
        Map<Long, double[]> seq = LectureReproduction.snapshots(Lecture.spec(UpdateRule.SEQUENTIAL, false), lectureSteps, LectureReproduction.LECTURE_STEPS);
        return build(spec, steps, trained, sim, seq);
    }

    /** Steps 0, 1, {@link #REPORTED_STEPS} up to {@code steps}, and {@code steps}. */
    public static long[] wantedSteps(long steps) {
        return java.util.stream.LongStream.concat(
                java.util.stream.LongStream.of(0, 1, steps),
                java.util.Arrays.stream(REPORTED_STEPS).filter(s -> s <= steps)).distinct().sorted().toArray();
    }

    private static Map<Long, Checkpoint> evaluateAll(NetworkSpec spec, Map<Long, double[]> params) {
        Map<Long, Checkpoint> result = new TreeMap<>();
        params.forEach((step, p) -> result.put(step, LectureReproduction.evaluate(spec, step, p)));
        return result;
    }
}
