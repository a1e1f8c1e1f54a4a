package io.backpropstreams.client;

import io.backpropstreams.avro.DecodingException;
import io.backpropstreams.avro.SampleCodec;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads samples line by line from JSON lines ({@code {"input":[..],"target":[..]}}) or CSV (the
 * input columns, then the target columns). A malformed line is reported with its line number
 * and skipped; blank lines and lines starting with {@code #} are ignored.
 */
public final class SampleFileReader {

    /** Accepted formats. */
    public enum Format { JSON, CSV }

    /** What reading produced. */
    public record Result(List<SampleCodec.Vectors> samples, int skipped) {
    }

    private SampleFileReader() {
    }

    /**
     * Reads every line.
     *
     * @param inputs    number of input columns (CSV only)
     * @param onProblem receives "line N: what is wrong" for each skipped line
     */
    public static Result read(BufferedReader reader, Format format, int inputs, Consumer<String> onProblem) throws IOException {
        List<SampleCodec.Vectors> samples = new ArrayList<>();
        int skipped = 0;
        int lineNo = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                samples.add(format == Format.JSON ? json(trimmed) : csv(trimmed, inputs));
            } catch (DecodingException | IllegalArgumentException e) {
                skipped++;
                onProblem.accept("line " + lineNo + ": " + e.getMessage());
            }
        }
        return new Result(samples, skipped);
    }

    private static SampleCodec.Vectors json(String line) {
        SampleCodec.Vectors v = SampleCodec.decode(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        check(v.input(), "input");
        check(v.target(), "target");
        return v;
    }

    private static SampleCodec.Vectors csv(String line, int inputs) {
        String[] cells = line.split(",", -1);
        if (cells.length <= inputs) {
            throw new IllegalArgumentException("has " + cells.length + " columns; with --inputs " + inputs
                    + " it needs at least " + (inputs + 1) + " (inputs, then targets)");
        }
        double[] in = new double[inputs];
        double[] target = new double[cells.length - inputs];
        for (int c = 0; c < cells.length; c++) {
            double v;
            try {
                v = Double.parseDouble(cells[c].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("column " + (c + 1) + " is not a number: '" + cells[c].strip() + "'");
            }
            if (c < inputs) {
                in[c] = v;
            } else {
                target[c - inputs] = v;
            }
        }
        check(in, "input");
        check(target, "target");
        return new SampleCodec.Vectors(in, target);
    }

    private static void check(double[] v, String what) {
        if (v.length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + v[i] + "; values must be finite");
            }
        }
    }
}
