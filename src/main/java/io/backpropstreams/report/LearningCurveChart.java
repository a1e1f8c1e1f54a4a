package io.backpropstreams.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;

/**
 * Draws learning curves (prequential loss against step, log scale) as a PNG with JFreeChart.
 * Long curves are thinned to at most 4,000 points per series; the chart looks the same.
 */
public final class LearningCurveChart {

    private static final int MAX_POINTS = 4_000;

    private LearningCurveChart() {
    }

    /**
     * Writes the chart.
     *
     * @param curves model id → loss of steps 1..n (index 0 is step 1)
     * @return the file written
     */
    public static Path writePng(Path file, String title, Map<String, double[]> curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            double[] loss = e.getValue();
            int stride = Math.max(1, loss.length / MAX_POINTS);
            for (int i = 0; i < loss.length; i += stride) {
                if (loss[i] > 0) {
                    s.add(i + 1, loss[i]);
                }
            }
            if (loss.length > 0 && loss[loss.length - 1] > 0) {
                s.addOrUpdate(loss.length, loss[loss.length - 1]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", "loss before the update (prequential)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis y = new LogAxis("loss before the update (prequential, log scale)");
        y.setSmallestValue(1e-12);
        y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        plot.setRangeAxis(y);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 960, 540);
        return file;
    }

    /**
     * Writes a learning curve as CSV with the header {@code step,loss,lossEma}, one row per entry of
     * {@code rows} ({step, loss, lossEma}); the step is written as an integer, the losses in full precision.
     */
    public static Path writeCsv(Path file, List<double[]> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("step,loss,lossEma\n");
            for (double[] r : rows) {
                w.write((long) r[0] + "," + r[1] + "," + r[2] + "\n");
            }
        }
        return file;
    }
}
