package io.backpropstreams.report;

import org.jfree.chart.axis.LogAxis;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningCurveChartTest {

    @Test
    void theLogAxisSpansTheWholeRunWithAFewLabelledDecades() {
        // the lecture's curve over 557,551 steps falls from 0.298 to below 1e-15
        LogAxis axis = LearningCurveChart.logAxis("loss", 3.2e-16, 0.2983711087600027);
        assertTrue(axis.getLowerBound() <= 3.2e-16 && axis.getUpperBound() >= 0.2983711087600027,
                "range " + axis.getLowerBound() + " .. " + axis.getUpperBound());
        assertEquals(1e-16, axis.getLowerBound(), 1e-30);
        assertEquals(1.0, axis.getUpperBound(), 1e-12);
        assertEquals(2.0, axis.getTickUnit().getSize(), 0.0, "16 decades: a label every 2");
        LogAxis deep = LearningCurveChart.logAxis("loss", 1e-300, 1);
        assertTrue(deep.getTickUnit().getSize() >= 300 / 8.0, "at most about 8 labels: " + deep.getTickUnit().getSize());
    }

    @Test
    void thinningKeepsEachBucketsExtremesAndTheLastPoint() {
        int n = 1_000_000;
        long[] steps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            values[i] = 1.0 / (i + 1);
        }
        values[777_777] = 50; // a spike thinning must not hide
        XYSeries s = LearningCurveChart.thinned(new LearningCurveChart.Series("s", steps, values, Color.BLACK, 1f), true);
        assertTrue(s.getItemCount() <= 2 * LearningCurveChart.BUCKETS + 1, "points drawn: " + s.getItemCount());
        assertEquals(50.0, s.getMaxY(), 0.0, "the spike is drawn");
        assertEquals(n, s.getMaxX(), 0.0, "the last step is drawn");
        assertEquals(1.0 / n, s.getMinY(), 0.0);
    }

    @Test
    void writesAPngOfStackedPanels(@TempDir Path dir) throws Exception {
        long[] steps = {1, 2, 3};
        Path png = LearningCurveChart.writePng(dir.resolve("c.png"), "t", List.of(
                LearningCurveChart.lossAndEma("m", steps, new double[] {0.3, 0.2, 0.1}, new double[] {0.3, 0.29, 0.27}),
                new LearningCurveChart.Panel("difference", false, List.of(
                        new LearningCurveChart.Series("d", steps, new double[] {0, -1e-9, 2e-9}, Color.GREEN, 1f)))));
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(960, image.getWidth());
        assertEquals(300 + 2 * 240, image.getHeight());
        assertTrue(Files.size(png) > 5_000);
    }

    @Test
    void theCsvOfAClassifierHasItsAccuracyColumnsWithEmptyCellsBeforeTheFirstVerdict(@TempDir Path dir) throws Exception {
        Path csv = LearningCurveChart.writeCsv(dir.resolve("c.csv"), List.of("step", "loss", "lossEma", "accuracy", "accuracyEma"), List.of(
                new double[] {1, 0.3, 0.3, Double.NaN, Double.NaN},
                new double[] {2, 0.25, 0.29, 0.5, 0.01}));
        assertEquals(List.of("step,loss,lossEma,accuracy,accuracyEma", "1,0.3,0.3,,", "2,0.25,0.29,0.5,0.01"), Files.readAllLines(csv));
        Path plain = LearningCurveChart.writeCsv(dir.resolve("p.csv"), List.of(new double[] {3, 0.2983711087600027, 1e-300}));
        assertEquals(List.of("step,loss,lossEma", "3,0.2983711087600027,1.0E-300"), Files.readAllLines(plain), "the regression CSV as before");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LearningCurveChart.writeCsv(dir.resolve("x.csv"), List.of("step", "loss"), List.of(new double[] {1, 2, 3})));
    }
}
