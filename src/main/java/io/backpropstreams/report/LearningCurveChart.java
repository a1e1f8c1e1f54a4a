package io.backpropstreams.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws learning curves as a PNG with JFreeChart: one or more panels stacked over a shared step
 * axis, each with its own y-axis (logarithmic for losses, linear for differences).
 *
 * <p>The y-axis is fitted to the whole run: a log axis spans the smallest to the largest positive
 * value drawn, with one labelled decade every few decades so that a curve falling from 0.3 to
 * 1e-30 stays on the plot and readable. Long series are drawn from at most {@value #BUCKETS}
 * buckets, each contributing its smallest and largest value, so thinning never hides a spike.
 */
public final class LearningCurveChart {

    /** Buckets per series when drawing; each gives at most two points. */
    static final int BUCKETS = 2_000;

    /** One line: values at steps, in a colour and a stroke width. */
    public record Series(String name, long[] steps, double[] values, Color colour, float width) {
    }

    /** One stacked panel: its y-axis label, whether that axis is logarithmic, and its lines. */
    public record Panel(String yLabel, boolean log, List<Series> series) {
    }

    private LearningCurveChart() {
    }

    /** The loss of one model and its EMA in one panel (log scale): the loss thin and light, the EMA over it. */
    public static Panel lossAndEma(String model, long[] steps, double[] loss, double[] lossEma) {
        return new Panel("loss before the update (log scale)", true, List.of(
                new Series(model + " loss", steps, loss, new Color(0x9ecae1), 1f),
                new Series(model + " loss EMA", steps, lossEma, new Color(0x08519c), 2f)));
    }

    /** Writes the chart, {@code panels} stacked top to bottom, 960 px wide. */
    public static Path writePng(Path file, String title, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(new NumberAxis("step"));
        combined.setGap(12);
        for (Panel panel : panels) {
            combined.add(plot(panel), 1);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
        chart.setBackgroundPaint(Color.WHITE);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 960, 300 + 240 * panels.size());
        return file;
    }

    private static XYPlot plot(Panel panel) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int k = 0;
        for (Series s : panel.series()) {
            XYSeries xy = thinned(s, panel.log());
            for (int i = 0; i < xy.getItemCount(); i++) {
                double y = xy.getY(i).doubleValue();
                min = Math.min(min, y);
                max = Math.max(max, y);
            }
            data.addSeries(xy);
            renderer.setSeriesPaint(k, s.colour());
            renderer.setSeriesStroke(k, new BasicStroke(s.width()));
            k++;
        }
        ValueAxis y = panel.log() ? logAxis(panel.yLabel(), min, max) : new NumberAxis(panel.yLabel());
        XYPlot plot = new XYPlot(data, null, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    /** A log axis over [min, max] (the positive values drawn), about eight labelled decades at most. */
    static LogAxis logAxis(String label, double min, double max) {
        LogAxis axis = new LogAxis(label);
        if (!(min > 0) || !(max >= min)) {
            return axis; // nothing positive to draw: JFreeChart's defaults
        }
        double lo = Math.floor(Math.log10(min));
        double hi = Math.ceil(Math.log10(max));
        if (hi <= lo) {
            hi = lo + 1;
        }
        axis.setSmallestValue(Math.pow(10, lo));
        axis.setAutoRange(false);
        axis.setRange(Math.pow(10, lo), Math.pow(10, hi));
        axis.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil((hi - lo) / 8))));
        return axis;
    }

    /**
     * The series as at most two points per bucket (its smallest and its largest value, in step
     * order), plus the last point; non-positive values are left out of a log panel.
     */
    static XYSeries thinned(Series s, boolean log) {
        XYSeries xy = new XYSeries(s.name(), true, true);
        int n = s.steps().length;
        int perBucket = Math.max(1, (n + BUCKETS - 1) / BUCKETS);
        for (int from = 0; from < n; from += perBucket) {
            int to = Math.min(n, from + perBucket);
            int lo = -1;
            int hi = -1;
            for (int i = from; i < to; i++) {
                double v = s.values()[i];
                if (Double.isNaN(v) || Double.isInfinite(v) || (log && v <= 0)) {
                    continue;
                }
                if (lo < 0 || v < s.values()[lo]) {
                    lo = i;
                }
                if (hi < 0 || v > s.values()[hi]) {
                    hi = i;
                }
            }
            if (lo >= 0) {
                xy.addOrUpdate(s.steps()[lo], s.values()[lo]);
                xy.addOrUpdate(s.steps()[hi], s.values()[hi]);
            }
        }
        if (n > 0 && !(log && s.values()[n - 1] <= 0) && Double.isFinite(s.values()[n - 1])) {
            xy.addOrUpdate(s.steps()[n - 1], s.values()[n - 1]);
        }
        return xy;
    }

    /** A model's prequential accuracy and its EMA in one panel (linear scale). */
    public static Panel accuracyAndEma(String model, long[] steps, double[] accuracy, double[] accuracyEma) {
        return new Panel("accuracy before the update", false, List.of(
                new Series(model + " accuracy", steps, accuracy, new Color(0xfdae6b), 1.5f),
                new Series(model + " accuracy EMA", steps, accuracyEma, new Color(0xa63603), 2f)));
    }

    /**
     * Writes a learning curve as CSV with the header {@code step,loss,lossEma}, one row per entry of
     * {@code rows} ({step, loss, lossEma}); the step is written as an integer, the losses in full precision.
     */
    public static Path writeCsv(Path file, List<double[]> rows) throws IOException {
        return writeCsv(file, List.of("step", "loss", "lossEma"), rows);
    }

    /**
     * Writes a learning curve as CSV with the header {@code columns}, one row per entry of
     * {@code rows}, its values in that order: the first (the step) as an integer, the others in full
     * precision, a NaN (no value yet, such as the accuracy before the first classification sample)
     * as an empty cell.
     */
    public static Path writeCsv(Path file, List<String> columns, List<double[]> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(String.join(",", columns));
            w.write('\n');
            for (double[] r : rows) {
                if (r.length != columns.size()) {
                    throw new IllegalArgumentException("a CSV row has " + r.length + " values for " + columns.size() + " columns " + columns);
                }
                w.write(Long.toString((long) r[0]));
                for (int k = 1; k < r.length; k++) {
                    w.write(',');
                    if (!Double.isNaN(r[k])) {
                        w.write(Double.toString(r[k]));
                    }
                }
                w.write('\n');
            }
        }
        return file;
    }
}
