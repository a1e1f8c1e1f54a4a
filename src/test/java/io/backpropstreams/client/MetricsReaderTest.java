package io.backpropstreams.client;

import io.backpropstreams.schema.TrainingMetric;
import io.backpropstreams.topology.ModelState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's accuracy, recomputed from the metrics' verdicts as the trainer computes it. */
class MetricsReaderTest {

    private static TrainingMetric metric(long step, Boolean correct) {
        return new TrainingMetric("m", step, 0.5, List.of(0.4, 0.6), List.of(0.0, 1.0), 0.5, Instant.EPOCH, correct);
    }

    @Test
    void accuracyCountsTheVerdictsOfTheRunAndItsEmaIsTheTrainers() {
        List<MetricsReader.Row> rows = new ArrayList<>();
        Boolean[] verdicts = {null, false, true, null, true, true};
        ModelState trainer = new ModelState(io.backpropstreams.nn.Lecture.network(), 1, Double.NaN);
        for (int i = 0; i < verdicts.length; i++) {
            MetricsReader.add(rows, metric(i + 1, verdicts[i]));
            if (verdicts[i] != null) {
                trainer.recordClassification(verdicts[i]);
            }
            MetricsReader.Row row = rows.get(i);
            assertEquals(trainer.classified(), row.classified(), "classified after step " + (i + 1));
            assertEquals(trainer.correct(), row.classifiedCorrectly());
            assertEquals(Double.doubleToLongBits(trainer.accuracyEma()), Double.doubleToLongBits(row.accuracyEma()), "EMA after step " + (i + 1));
        }
        assertTrue(Double.isNaN(rows.get(0).accuracy()), "no accuracy before the first verdict");
        assertEquals(0.0, rows.get(1).accuracy(), 0.0);
        assertEquals(0.75, rows.get(5).accuracy(), 0.0);
    }

    @Test
    void aResetStartsTheRowsAndTheCountsAgain() {
        List<MetricsReader.Row> rows = new ArrayList<>();
        MetricsReader.add(rows, metric(1, true));
        MetricsReader.add(rows, metric(2, true));
        MetricsReader.add(rows, metric(1, false));
        assertEquals(1, rows.size());
        assertEquals(1, rows.get(0).classified());
        assertEquals(0.0, rows.get(0).accuracy(), 0.0);
        assertEquals(0.0, rows.get(0).accuracyEma(), 0.0);
    }
}
