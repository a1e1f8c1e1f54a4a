package io.backpropstreams.cli;

import io.backpropstreams.report.LectureReport;
import io.backpropstreams.report.LectureReportPrinter;

import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.UpdateRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code lecture}: reproduces the backpropagation lecture in-process, with no Kafka. */
@Command(name = "lecture",
        mixinStandardHelpOptions = true,
        description = {
            "Reproduces the step-by-step backpropagation lecture in-process (no Kafka): the forward pass, "
                + "the step-1 gradients and updated weights, the error over training, and a table that says which "
                + "update rule reproduces each figure the lecture prints.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  backprop-streams lecture",
            "  backprop-streams lecture --rule sequential --steps 100",
            "  backprop-streams lecture --train-biases --json",
        })
public final class LectureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "10000", description = "Training steps on the lecture sample (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--rule", defaultValue = "simultaneous",
            description = "Update rule: simultaneous (true gradient) or sequential (the lecture's first code). Default: ${DEFAULT-VALUE}.")
    String rule;

    @Option(names = "--train-biases", description = "Train the biases too (the lecture keeps them frozen).")
    boolean trainBiases;

    @Option(names = "--learning-rate", defaultValue = "0.5", description = "Learning rate η (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        if (steps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        }
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw new ParameterException(spec.commandLine(), "--learning-rate must be a finite number ≥ 0, got " + learningRate);
        }
        UpdateRule updateRule;
        try {
            updateRule = UpdateRule.parse(rule);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--rule: " + e.getMessage());
        }
        NetworkSpec networkSpec = Lecture.spec(updateRule, trainBiases).withLearningRate(learningRate);
        LectureReport report = LectureReport.inProcess(networkSpec, steps);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            LectureReportPrinter.printJson(report, out);
        } else {
            LectureReportPrinter.printText(report, out);
        }
        return 0;
    }
}
